using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace MlToolkit.Deployment.Registry;

/// <summary>
/// The SHA-256 of a manifest's canonical JSON (<see cref="ModelManifest.ManifestSha256"/>). The canonical form is computed
/// from the stored text, not from a re-serialization, so a field added to <see cref="ModelManifest"/> later does not change
/// the hash of manifests written before: the top-level <c>manifestSha256</c> property is left out, object properties are
/// written in ordinal order of their names, arrays in order, numbers as their raw text, strings re-escaped by
/// <see cref="Utf8JsonWriter"/>, without whitespace. A property name given twice in one object (ignoring case, as the
/// manifest is read case-insensitively, where the last one would win) is refused.
/// </summary>
internal static class ManifestIntegrity
{
    /// <summary>The JSON name of <see cref="ModelManifest.ManifestSha256"/>.</summary>
    public const string PropertyName = "manifestSha256";

    /// <summary>The SHA-256 (lowercase hex) of the canonical form of <paramref name="json"/>.</summary>
    /// <exception cref="JsonException">The JSON is invalid, not an object, or repeats a property name.</exception>
    public static string Compute(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        using JsonDocument document = JsonDocument.ParseValue(ref reader);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("The manifest is not a JSON object.");
        }

        var buffer = new ArrayBufferWriter<byte>(json.Length);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = false }))
        {
            Write(writer, document.RootElement, top: true);
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element, bool top)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = new List<JsonProperty>();
                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (!seen.Add(property.Name))
                    {
                        throw new JsonException($"The property '{property.Name}' appears more than once in one object (names are read ignoring case).");
                    }

                    if (!(top && string.Equals(property.Name, PropertyName, StringComparison.OrdinalIgnoreCase)))
                    {
                        properties.Add(property);
                    }
                }

                properties.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                writer.WriteStartObject();
                foreach (JsonProperty property in properties)
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value, top: false);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Write(writer, item, top: false);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;
            case JsonValueKind.Number:
                writer.WriteRawValue(element.GetRawText(), skipInputValidation: true);
                break;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
