using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;

namespace MlToolkit.AspNetCore;

/// <summary>
/// Reads a prediction request body straight into rows of field values with <see cref="Utf8JsonReader"/>: input names are
/// matched as UTF-8 against the manifest (no string per field name), numbers become boxed doubles, booleans shared
/// boxes, text strings; arrays and objects stay <see cref="JsonElement"/> for the service's checks. A key that appears twice
/// in a row is refused, naming it. A single row reuses the thread's dictionary.
/// </summary>
internal static class RequestReader
{
    private static readonly object True = true;
    private static readonly object False = false;
    private static readonly ConditionalWeakTable<ModelManifest, NameTable> Names = [];

    [ThreadStatic]
    private static Dictionary<string, object?>? _scratch;

    /// <summary>The kind of the body's root value.</summary>
    /// <exception cref="JsonException">The body is empty or does not start with a JSON value.</exception>
    public static JsonTokenType RootKind(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
        reader.Read(); // an empty body throws here
        return reader.TokenType;
    }

    /// <summary>
    /// Reads a body whose root is an object into a dictionary that is reused by the calling thread: use it before any
    /// <c>await</c> and call <see cref="Release"/> after.
    /// </summary>
    public static Dictionary<string, object?> ReadSingle(ReadOnlySpan<byte> body, ModelManifest manifest)
    {
        Dictionary<string, object?> row = _scratch ?? new Dictionary<string, object?>(manifest.Inputs.Count, StringComparer.Ordinal);
        _scratch = null;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
        reader.Read(); // StartObject, checked by the caller
        ReadRow(ref reader, row, manifest, null);
        End(ref reader);
        return row;
    }

    /// <summary>Gives the dictionary of <see cref="ReadSingle"/> back to the thread.</summary>
    public static void Release(Dictionary<string, object?> row)
    {
        row.Clear();
        _scratch = row;
    }

    /// <summary>Reads a body whose root is an array of objects; <paramref name="maxRows"/> is checked before any row is read.</summary>
    /// <returns>The rows, or <see langword="null"/> with <paramref name="count"/> set when there are more than <paramref name="maxRows"/>.</returns>
    public static List<IReadOnlyDictionary<string, object?>>? ReadBatch(ReadOnlySpan<byte> body, ModelManifest manifest, int maxRows, out int count)
    {
        count = Count(body);
        if (count > maxRows)
        {
            return null;
        }

        var rows = new List<IReadOnlyDictionary<string, object?>>(count);
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
        reader.Read(); // StartArray
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new PredictionInputException(manifest.Name, "(row)", $"must be a JSON object of field values, not {Kind(reader.TokenType)}.", rows.Count);
            }

            var row = new Dictionary<string, object?>(manifest.Inputs.Count, StringComparer.Ordinal);
            ReadRow(ref reader, row, manifest, rows.Count);
            rows.Add(row);
        }

        End(ref reader);
        return rows;
    }

    /// <summary>The elements of the root array, counted without reading them into rows (so a huge batch is refused cheaply).</summary>
    private static int Count(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
        reader.Read();
        int count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            count++;
            reader.Skip();
        }

        return count;
    }

    private static void ReadRow(ref Utf8JsonReader reader, Dictionary<string, object?> row, ModelManifest manifest, int? index)
    {
        NameTable names = Names.GetValue(manifest, m => new NameTable(m));
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = names.Find(ref reader) ?? reader.GetString()!;
            reader.Read();
            object? value = reader.TokenType switch
            {
                JsonTokenType.Number => reader.TryGetDouble(out double d) ? d : double.PositiveInfinity, // beyond double: refused as not finite
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.True => True,
                JsonTokenType.False => False,
                JsonTokenType.Null => null,
                _ => JsonElement.ParseValue(ref reader),
            };
            if (!row.TryAdd(name, value))
            {
                throw new PredictionInputException(manifest.Name, name, "appears more than once in the row; send each field once.", index);
            }
        }
    }

    /// <summary>Reads past the root value, so that anything after it is refused as malformed JSON.</summary>
    private static void End(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new JsonException($"'{reader.TokenType}' after the end of the JSON value.");
        }
    }

    public static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "text",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        _ => "an object",
    };

    /// <summary>The manifest's input names as UTF-8, to match property names without allocating a string.</summary>
    private sealed class NameTable(ModelManifest manifest)
    {
        private readonly (byte[] Utf8, string Name)[] _names = [.. manifest.Inputs.Select(i => (Encoding.UTF8.GetBytes(i.Name), i.Name))];

        public string? Find(ref Utf8JsonReader reader)
        {
            foreach ((byte[] utf8, string name) in _names)
            {
                if (reader.ValueTextEquals(utf8))
                {
                    return name;
                }
            }

            return null;
        }
    }
}
