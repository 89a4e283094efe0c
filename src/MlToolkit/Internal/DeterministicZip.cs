using System.IO.Compression;

namespace MlToolkit.Internal;

/// <summary>Copies a zip archive entry by entry, in the same order, with a fixed timestamp on every entry, and adds entries at the end.</summary>
internal static class DeterministicZip
{
    /// <summary>The timestamp every entry gets: the earliest a zip can hold.</summary>
    public static readonly DateTimeOffset Timestamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Rewrite(Stream source, Stream destination, params (string Name, byte[] Content)[] added)
    {
        using var input = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true);
        using var output = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        foreach (ZipArchiveEntry entry in input.Entries)
        {
            ZipArchiveEntry copy = output.CreateEntry(entry.FullName, CompressionLevel.Optimal);
            copy.LastWriteTime = Timestamp;
            using Stream from = entry.Open();
            using Stream to = copy.Open();
            from.CopyTo(to);
        }

        foreach ((string name, byte[] content) in added)
        {
            ZipArchiveEntry entry = output.CreateEntry(name, CompressionLevel.Optimal);
            entry.LastWriteTime = Timestamp;
            using Stream to = entry.Open();
            to.Write(content);
        }
    }
}
