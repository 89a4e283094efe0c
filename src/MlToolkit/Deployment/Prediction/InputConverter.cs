using System.Collections;
using System.Text.Json;
using MlToolkit.Data;
using MlToolkit.Deployment.Registry;

namespace MlToolkit.Deployment.Prediction;

/// <summary>Checks untyped rows against a manifest and turns them into a <see cref="DataTable"/>.</summary>
internal sealed class InputConverter
{
    private readonly ModelManifest _manifest;
    private readonly PredictionServiceOptions _options;
    private readonly Dictionary<string, HashSet<string>> _categories;
    private readonly HashSet<string> _inputNames;

    public InputConverter(ModelManifest manifest, PredictionServiceOptions options)
    {
        _manifest = manifest;
        _options = options;
        _categories = manifest.Inputs
            .Where(c => c.Categories is { Count: > 0 })
            .ToDictionary(c => c.Name, c => c.Categories!.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        _inputNames = manifest.Inputs.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Validates and converts; returns the table and, per row, the fields whose category was unseen.</summary>
    /// <param name="rows">The rows.</param>
    /// <param name="batch">Whether the caller sent a batch (errors then name the row, even in a batch of one).</param>
    public (DataTable Table, List<string>[] Unseen) Convert(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, bool batch)
    {
        int n = rows.Count;
        var columns = new List<DataTableColumn>();
        var unseen = new List<string>[n];
        for (int r = 0; r < n; r++)
        {
            ArgumentNullException.ThrowIfNull(rows[r], nameof(rows));
            unseen[r] = [];
            if (_options.UnknownFields == UnknownFieldPolicy.Reject)
            {
                foreach (string key in rows[r].Keys)
                {
                    if (!_manifest.Inputs.Any(c => c.Name == key))
                    {
                        throw Error(key, $"is not an input of the model (its inputs are: {string.Join(", ", _manifest.Inputs.Select(c => c.Name))}).", batch ? r : null);
                    }
                }
            }
        }

        foreach (ManifestColumn input in _manifest.Inputs)
        {
            switch (input.Kind)
            {
                case "Text":
                    var texts = new string?[n];
                    for (int r = 0; r < n; r++)
                    {
                        texts[r] = Text(Field(rows[r], input.Name, r, batch), input.Name, r, batch);
                        if (texts[r] is { } value && _categories.TryGetValue(input.Name, out HashSet<string>? seen) && !seen.Contains(value))
                        {
                            if (_options.UnseenCategories == UnseenCategoryPolicy.Reject)
                            {
                                throw Error(input.Name, "has a category that was not in the training data (unseen categories are refused).", batch ? r : null);
                            }

                            unseen[r].Add(input.Name);
                        }
                    }

                    columns.Add(new TextColumn(input.Name, texts));
                    break;
                case "Boolean":
                    var flags = new bool[n];
                    for (int r = 0; r < n; r++)
                    {
                        flags[r] = Boolean(Field(rows[r], input.Name, r, batch), input.Name, r, batch);
                    }

                    columns.Add(new BooleanColumn(input.Name, flags));
                    break;
                case "Vector":
                    int size = input.Size ?? 0;
                    var vector = new float[n * size];
                    for (int r = 0; r < n; r++)
                    {
                        Vector(Field(rows[r], input.Name, r, batch), input.Name, size, r, batch).CopyTo(vector, r * size);
                    }

                    columns.Add(new VectorColumn(input.Name, size, vector));
                    break;
                default:
                    var numbers = new float[n];
                    for (int r = 0; r < n; r++)
                    {
                        numbers[r] = Number(Field(rows[r], input.Name, r, batch), input.Name, r, batch, allowMissing: true);
                    }

                    columns.Add(new NumberColumn(input.Name, numbers));
                    break;
            }
        }

        return (new DataTable(columns), unseen);
    }

    /// <summary>
    /// Validates one row and returns its values in manifest input order (a float, a bool, a string or null, or a float
    /// vector), with the fields whose category was unseen.
    /// </summary>
    public object?[] ConvertRow(IReadOnlyDictionary<string, object?> row, List<string> unseen)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (_options.UnknownFields == UnknownFieldPolicy.Reject && row.Keys.FirstOrDefault(k => !_inputNames.Contains(k)) is { } unknown)
        {
            throw Error(unknown, $"is not an input of the model (its inputs are: {string.Join(", ", _manifest.Inputs.Select(c => c.Name))}).", null);
        }

        var values = new object?[_manifest.Inputs.Count];
        for (int i = 0; i < values.Length; i++)
        {
            ManifestColumn input = _manifest.Inputs[i];
            object? value = Field(row, input.Name, 0, false);
            switch (input.Kind)
            {
                case "Text":
                    string? text = Text(value, input.Name, 0, false);
                    if (text is not null && _categories.TryGetValue(input.Name, out HashSet<string>? seen) && !seen.Contains(text))
                    {
                        if (_options.UnseenCategories == UnseenCategoryPolicy.Reject)
                        {
                            throw Error(input.Name, "has a category that was not in the training data (unseen categories are refused).", null);
                        }

                        unseen.Add(input.Name);
                    }

                    values[i] = text;
                    break;
                case "Boolean":
                    values[i] = Boolean(value, input.Name, 0, false);
                    break;
                case "Vector":
                    values[i] = Vector(value, input.Name, input.Size ?? 0, 0, false);
                    break;
                default:
                    values[i] = Number(value, input.Name, 0, false, allowMissing: true);
                    break;
            }
        }

        return values;
    }

    /// <summary>One row with zeros, false, the first category and zero vectors, for trial predictions.</summary>
    public static DataTable SampleRow(ModelManifest manifest)
        => new(manifest.Inputs.Select(c => c.Kind switch
        {
            "Text" => (DataTableColumn)new TextColumn(c.Name, [c.Categories is { Count: > 0 } cats ? cats[0] : null]),
            "Boolean" => new BooleanColumn(c.Name, [false]),
            "Vector" => new VectorColumn(c.Name, c.Size ?? 1, new float[c.Size ?? 1]),
            _ => new NumberColumn(c.Name, [0f]),
        }));

    private object? Field(IReadOnlyDictionary<string, object?> row, string name, int r, bool batch)
    {
        if (!row.TryGetValue(name, out object? value))
        {
            throw Error(name, "is missing; the model needs it (send null for a missing number or text).", batch ? r : null);
        }

        return value is JsonElement { ValueKind: JsonValueKind.Null } ? null : value;
    }

    private float Number(object? value, string name, int r, bool batch, bool allowMissing)
    {
        double number;
        switch (value)
        {
            case null when allowMissing:
                return float.NaN;
            case JsonElement { ValueKind: JsonValueKind.Number } json:
                number = json.GetDouble();
                break;
            case float or double or decimal or int or long or short or byte or sbyte or uint or ulong or ushort:
                number = System.Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
            default:
                throw Error(name, $"must be a number but is {Describe(value)}.", batch ? r : null);
        }

        if (!double.IsFinite(number))
        {
            throw Error(name, "must be a finite number (send null for a missing value).", batch ? r : null);
        }

        if (Math.Abs(number) > float.MaxValue)
        {
            throw Error(name, "is beyond the range of a 32-bit float.", batch ? r : null);
        }

        return (float)number;
    }

    private string? Text(object? value, string name, int r, bool batch) => value switch
    {
        null => null,
        string s => s.Length == 0 ? null : s,
        JsonElement { ValueKind: JsonValueKind.String } json => json.GetString() is { Length: > 0 } s ? s : null,
        _ => throw Error(name, $"must be text but is {Describe(value)}.", batch ? r : null),
    };

    private bool Boolean(object? value, string name, int r, bool batch) => value switch
    {
        bool b => b,
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        _ => throw Error(name, $"must be true or false but is {Describe(value)}.", batch ? r : null),
    };

    private float[] Vector(object? value, string name, int size, int r, bool batch)
    {
        IEnumerable<object?> items = value switch
        {
            JsonElement { ValueKind: JsonValueKind.Array } json => json.EnumerateArray().Select(e => (object?)e),
            string => throw Error(name, $"must be an array of {size} numbers but is text.", batch ? r : null),
            IEnumerable list => list.Cast<object?>(),
            _ => throw Error(name, $"must be an array of {size} numbers but is {Describe(value)}.", batch ? r : null),
        };
        float[] result = items.Select(v => Number(v, name, r, batch, allowMissing: false)).ToArray();
        return result.Length == size ? result : throw Error(name, $"must have {size} numbers but has {result.Length}.", batch ? r : null);
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        JsonElement json => json.ValueKind switch
        {
            JsonValueKind.String => "text",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            _ => json.ValueKind.ToString().ToLowerInvariant(),
        },
        string => "text",
        bool => "a boolean",
        _ when value.GetType().IsPrimitive || value is decimal => "a number",
        IEnumerable => "an array",
        _ => value.GetType().Name,
    };

    private PredictionInputException Error(string field, string reason, int? row) => new(_manifest.Name, field, reason, row);
}
