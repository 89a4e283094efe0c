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

    private static readonly IReadOnlyList<string> NoUnseen = [];

    public InputConverter(ModelManifest manifest, PredictionServiceOptions options)
    {
        _manifest = manifest;
        _options = options;
        // Only complete lists: a cut or unknown list would call categories seen in training unseen. (A service refusing
        // unseen categories does not start without complete lists.)
        _categories = manifest.Inputs
            .Where(c => c.Kind == "Text" && c.CategoriesComplete && c.Categories is not null)
            .ToDictionary(c => c.Name, c => c.Categories!.ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        _inputNames = manifest.Inputs.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Validates and converts; returns the table and, per row, the fields whose category was unseen (an empty list shared by every row that has none).</summary>
    /// <param name="rows">The rows.</param>
    /// <param name="batch">Whether the caller sent a batch (errors then name the row, even in a batch of one).</param>
    public (DataTable Table, IReadOnlyList<string>[] Unseen) Convert(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, bool batch)
    {
        int n = rows.Count;
        IReadOnlyList<ManifestColumn> inputs = _manifest.Inputs;
        var texts = new string?[inputs.Count][];
        var flags = new bool[inputs.Count][];
        var numbers = new float[inputs.Count][];
        for (int i = 0; i < inputs.Count; i++)
        {
            switch (inputs[i].Kind)
            {
                case "Text":
                    texts[i] = new string?[n];
                    break;
                case "Boolean":
                    flags[i] = new bool[n];
                    break;
                default:
                    numbers[i] = new float[n * (inputs[i].Kind == "Vector" ? inputs[i].Size ?? 0 : 1)];
                    break;
            }
        }

        // Row by row: each dictionary is read once while it is in the cache (column by column, a batch of 10,000 rows of
        // 28 fields cost about 1.5 µs more per row).
        var unseen = new IReadOnlyList<string>[n];
        for (int r = 0; r < n; r++)
        {
            IReadOnlyDictionary<string, object?> row = rows[r]
                ?? throw Error("(row)", "is null; send an object of field values for every row.", r);
            unseen[r] = NoUnseen;
            RejectUnknownFields(row, r, batch);
            for (int i = 0; i < inputs.Count; i++)
            {
                ManifestColumn input = inputs[i];
                object? value = Field(row, input.Name, r, batch);
                switch (input.Kind)
                {
                    case "Text":
                        texts[i][r] = CategoryText(value, input.Name, r, batch, out bool isUnseen);
                        if (isUnseen)
                        {
                            unseen[r] = [.. unseen[r], input.Name];
                        }

                        break;
                    case "Boolean":
                        flags[i][r] = Boolean(value, input.Name, r, batch);
                        break;
                    case "Vector":
                        int size = input.Size ?? 0;
                        Vector(value, input.Name, size, r, batch).CopyTo(numbers[i], r * size);
                        break;
                    default:
                        numbers[i][r] = Number(value, input.Name, r, batch, allowMissing: true);
                        break;
                }
            }
        }

        var columns = new DataTableColumn[inputs.Count];
        for (int i = 0; i < inputs.Count; i++)
        {
            ManifestColumn input = inputs[i];
            columns[i] = input.Kind switch
            {
                "Text" => new TextColumn(input.Name, texts[i]),
                "Boolean" => new BooleanColumn(input.Name, flags[i]),
                "Vector" => new VectorColumn(input.Name, input.Size ?? 0, numbers[i]),
                _ => new NumberColumn(input.Name, numbers[i]),
            };
        }

        return (new DataTable(columns), unseen);
    }

    /// <summary>
    /// Validates one row and writes each value, in manifest input order, straight into <paramref name="target"/> (no array,
    /// no boxing); the fields whose category was unseen go into <paramref name="unseen"/>, created on the first one.
    /// </summary>
    public void ConvertRow(IReadOnlyDictionary<string, object?> row, IRowTarget target, ref List<string>? unseen)
    {
        ArgumentNullException.ThrowIfNull(row);
        RejectUnknownFields(row, 0, batch: false);
        IReadOnlyList<ManifestColumn> inputs = _manifest.Inputs;
        for (int i = 0; i < inputs.Count; i++)
        {
            ManifestColumn input = inputs[i];
            object? value = Field(row, input.Name, 0, false);
            switch (input.Kind)
            {
                case "Text":
                    target.SetText(i, CategoryText(value, input.Name, 0, false, out bool isUnseen));
                    if (isUnseen)
                    {
                        (unseen ??= []).Add(input.Name);
                    }

                    break;
                case "Boolean":
                    target.SetBoolean(i, Boolean(value, input.Name, 0, false));
                    break;
                case "Vector":
                    target.SetVector(i, Vector(value, input.Name, input.Size ?? 0, 0, false));
                    break;
                default:
                    target.SetNumber(i, Number(value, input.Name, 0, false, allowMissing: true));
                    break;
            }
        }
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

    /// <summary>Refuses a field that is not an input, when the policy says so: one hash lookup per field, no allocation.</summary>
    private void RejectUnknownFields(IReadOnlyDictionary<string, object?> row, int r, bool batch)
    {
        if (_options.UnknownFields != UnknownFieldPolicy.Reject)
        {
            return;
        }

        // An ordinal dictionary with as many keys as there are inputs has no other key once every input is found in it,
        // which the conversion checks field by field anyway: the common case costs no lookup here.
        if (row.Count == _inputNames.Count && row is Dictionary<string, object?> { Comparer: var comparer }
            && (ReferenceEquals(comparer, EqualityComparer<string>.Default) || ReferenceEquals(comparer, StringComparer.Ordinal)))
        {
            return;
        }

        foreach (string key in row.Keys)
        {
            if (!_inputNames.Contains(key))
            {
                throw Error(key, $"is not an input of the model (its inputs are: {string.Join(", ", _manifest.Inputs.Select(c => c.Name))}).", batch ? r : null);
            }
        }
    }

    /// <summary>A text field, checked against the training categories: refused or flagged as unseen, as the policy says.</summary>
    private string? CategoryText(object? value, string name, int r, bool batch, out bool unseen)
    {
        string? text = Text(value, name, r, batch);
        unseen = text is not null && _categories.TryGetValue(name, out HashSet<string>? seen) && !seen.Contains(text);
        if (unseen && _options.UnseenCategories == UnseenCategoryPolicy.Reject)
        {
            throw Error(name, "has a category that was not in the training data (unseen categories are refused).", batch ? r : null);
        }

        return text;
    }

    private object? Field(IReadOnlyDictionary<string, object?> row, string name, int r, bool batch)
    {
        if (!row.TryGetValue(name, out object? value))
        {
            string[] unknown = [.. row.Keys.Where(k => !_inputNames.Contains(k))];
            string hint = unknown.Length == 0 ? string.Empty : $" The row has {string.Join(", ", unknown.Select(k => $"'{k}'"))}, which {(unknown.Length == 1 ? "is not an input" : "are not inputs")}: a misspelt name?";
            throw Error(name, $"is missing; the model needs it (send null for a missing number or text).{hint}", batch ? r : null);
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
            case float f:
                number = f; // the common cases first, without IConvertible
                break;
            case double d:
                number = d;
                break;
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

/// <summary>Where <see cref="InputConverter.ConvertRow"/> writes a row's checked values, by input index.</summary>
internal interface IRowTarget
{
    void SetNumber(int input, float value);

    void SetBoolean(int input, bool value);

    void SetText(int input, string? value);

    void SetVector(int input, float[] value);
}
