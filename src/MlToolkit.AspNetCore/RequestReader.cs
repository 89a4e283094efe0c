using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;

namespace MlToolkit.AspNetCore;

/// <summary>
/// Reads a prediction request body straight into rows of field values with <see cref="Utf8JsonReader"/>: input names are
/// matched as UTF-8 against the manifest (no string per field name), numbers become boxed doubles, booleans shared
/// boxes, text strings; arrays and objects stay <see cref="JsonElement"/> for the service's checks. A key that appears twice
/// in a row is refused, naming it. A single row reuses the thread's dictionary. The body must have been checked with
/// <see cref="FindInvalidUtf8"/> first: <see cref="Utf8JsonReader"/> passes invalid UTF-8 inside strings and throws
/// <see cref="InvalidOperationException"/> only when a string is decoded.
/// </summary>
internal static class RequestReader
{
    private static readonly object True = true;
    private static readonly object False = false;
    private static readonly ConditionalWeakTable<ModelManifest, NameTable> Names = [];

    [ThreadStatic]
    private static Dictionary<string, object?>? _scratch;

    /// <summary>The offset of the first byte that is not part of a valid UTF-8 sequence, or -1 when all of them are.</summary>
    public static int FindInvalidUtf8(ReadOnlySpan<byte> body)
    {
        if (Utf8.IsValid(body))
        {
            return -1;
        }

        // Only for a body already known to be bad: decode in chunks to find where.
        Span<char> chars = stackalloc char[512];
        int offset = 0;
        while (true)
        {
            OperationStatus status = Utf8.ToUtf16(body[offset..], chars, out int read, out _, replaceInvalidSequences: false, isFinalBlock: true);
            offset += read;
            if (status is OperationStatus.InvalidData or OperationStatus.NeedMoreData || offset >= body.Length)
            {
                return offset;
            }
        }
    }

    /// <summary>Says where the body stops being UTF-8, showing the bytes there, for a 400 problem.</summary>
    public static string DescribeInvalidUtf8(ReadOnlySpan<byte> body, int offset)
    {
        ReadOnlySpan<byte> bytes = body.Slice(offset, Math.Min(4, body.Length - offset));
        string hex = string.Join(' ', bytes.ToArray().Select(b => "0x" + b.ToString("X2", CultureInfo.InvariantCulture)));
        string hint = offset == 0 && body.Length >= 2 && ((body[0] == 0xFF && body[1] == 0xFE) || (body[0] == 0xFE && body[1] == 0xFF))
            ? "; it starts with a UTF-16 byte-order mark"
            : string.Empty;
        return $"The body is not valid UTF-8: the bytes at offset {offset} ({hex}) are not a UTF-8 sequence{hint}. Send the JSON encoded as UTF-8 (text saved as Latin-1, Windows-1252 or UTF-16 is not).";
    }

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
            string name = PropertyName(ref reader, names, index);
            reader.Read();
            object? value = reader.TokenType switch
            {
                JsonTokenType.Number => reader.TryGetDouble(out double d) ? d : double.PositiveInfinity, // beyond double: refused as not finite
                JsonTokenType.String => Text(ref reader, manifest, name, index),
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

    /// <summary>A property name: the input's own string when it is one (no string allocated), else the name read.</summary>
    /// <exception cref="JsonException">Its <c>\u</c> escapes leave an unpaired surrogate, so it is not text.</exception>
    private static string PropertyName(ref Utf8JsonReader reader, NameTable names, int? index)
    {
        try
        {
            return names.Find(ref reader) ?? reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // The body is valid UTF-8 (checked first), so only \u escapes can make a string that is not text.
            throw new JsonException($"{(index is null ? "A" : $"Row {index}: a")} property name has an unpaired UTF-16 surrogate among its \\u escapes, so it is not text.");
        }
    }

    /// <summary>A text value.</summary>
    /// <exception cref="PredictionInputException">Its <c>\u</c> escapes leave an unpaired surrogate, so it is not text.</exception>
    private static string Text(ref Utf8JsonReader reader, ModelManifest manifest, string field, int? index)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new PredictionInputException(manifest.Name, field, "is not text: its \\u escapes leave an unpaired UTF-16 surrogate; escape a character beyond U+FFFF as a pair, high then low (\\ud83d\\ude00).", index);
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
