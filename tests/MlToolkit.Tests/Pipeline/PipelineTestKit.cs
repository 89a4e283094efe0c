using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;

namespace MlToolkit.Tests;

/// <summary>An <see cref="IProgress{T}"/> that reports synchronously on the caller's thread (unlike <see cref="Progress{T}"/>).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>Helpers shared by the pipeline, evaluation, training, storage, deployment and validation tests.</summary>
internal static class PipelineTestKit
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The cells of <paramref name="column"/> in CSV text without quotes, header excluded.</summary>
    public static List<string> Cells(string csv, string column)
    {
        string[] lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int index = Array.IndexOf(lines[0].Split(','), column);
        Assert.True(index >= 0, $"No column '{column}' in the CSV header '{lines[0]}'.");
        return lines.Skip(1).Select(l => l.Split(',')[index]).ToList();
    }

    /// <summary>How many cells of <paramref name="column"/> equal <paramref name="value"/> (empty by default).</summary>
    public static int CountCells(string csv, string column, string value = "") => Cells(csv, column).Count(c => c == value);

    /// <summary>Rewrites the cells of <paramref name="column"/> on the given 0-based data rows.</summary>
    public static string SetCells(string csv, string column, IEnumerable<int> rows, string value)
    {
        string[] lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int index = Array.IndexOf(lines[0].Split(','), column);
        foreach (int row in rows)
        {
            string[] fields = lines[row + 1].Split(',');
            fields[index] = value;
            lines[row + 1] = string.Join(',', fields);
        }

        return string.Join('\n', lines) + "\n";
    }

    /// <summary>Reads a CSV file into a table, as a pipeline's extraction stage does.</summary>
    public static async Task<DataTable> ReadCsvAsync(string path, CsvSourceOptions? options = null)
    {
        ExtractedData data = await CsvDataSource.FromFile(path, options).ExtractAsync(ExtractionContext.Standalone(), Ct);
        return DataTable.FromDataView(data.Data, path, Ct);
    }

    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The entries of a zip file by name, with their uncompressed bytes (timestamps left out).</summary>
    public static SortedDictionary<string, byte[]> ZipContent(string path)
    {
        var entries = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        using ZipArchive zip = ZipFile.OpenRead(path);
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            using Stream stream = entry.Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            entries[entry.FullName] = buffer.ToArray();
        }

        return entries;
    }

    public static void AssertSameZipContent(string expectedPath, string actualPath)
    {
        SortedDictionary<string, byte[]> expected = ZipContent(expectedPath);
        SortedDictionary<string, byte[]> actual = ZipContent(actualPath);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach ((string name, byte[] bytes) in expected)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"Zip entry '{name}' differs.");
        }
    }
}

/// <summary>An <see cref="ILoggerProvider"/> that keeps every event id and message.</summary>
internal sealed class CollectingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(int Id, string Message)> Events { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Collector(Events);

    public void Dispose()
    {
    }

    private sealed class Collector(ConcurrentQueue<(int Id, string Message)> events) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => events.Enqueue((eventId.Id, formatter(state, exception)));
    }
}
