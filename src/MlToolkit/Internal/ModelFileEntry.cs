using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlToolkit.Internal;

/// <summary>
/// What a model file says about itself beyond ML.NET's own entries: the task, the label column and the class names in the
/// order the model's outputs use (binary: negative then positive). ML.NET keeps no class names for a binary model (its
/// label is a boolean by then), so without this entry nothing in the file could tell "yes" from "no". It is one small JSON
/// entry in the zip, which ML.NET ignores; the registry checks a manifest's classes against it.
/// </summary>
/// <param name="Task">The task.</param>
/// <param name="LabelColumn">The label column the model was trained on.</param>
/// <param name="Classes">The classes, as <see cref="Training.TrainedModel.ClassNames"/>.</param>
internal sealed record ModelFileEntry(MlTask Task, string LabelColumn, IReadOnlyList<string> Classes)
{
    /// <summary>The entry's name in the zip.</summary>
    public const string EntryName = "MlToolkit/Model.json";

    /// <summary>The most bytes read from the entry (it is a few hundred bytes; a hostile file is not read whole).</summary>
    private const int MaxBytes = 4 << 20;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The entry's content.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads the entry from a model file, or returns <see langword="null"/> when the file has none.</summary>
    /// <exception cref="InvalidDataException">The file is not a zip, or the entry is not valid.</exception>
    public static ModelFileEntry? Read(byte[] modelFile)
    {
        using var zip = new ZipArchive(new MemoryStream(modelFile, writable: false), ZipArchiveMode.Read);
        ZipArchiveEntry? entry = zip.GetEntry(EntryName);
        if (entry is null)
        {
            return null;
        }

        if (entry.Length > MaxBytes)
        {
            throw new InvalidDataException($"The entry {EntryName} has {entry.Length} bytes, more than a model's description needs.");
        }

        using Stream stream = entry.Open();
        try
        {
            return JsonSerializer.Deserialize<ModelFileEntry>(stream, Json) ?? throw new InvalidDataException($"The entry {EntryName} is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The entry {EntryName} is not valid JSON ({ex.Message}).", ex);
        }
    }
}
