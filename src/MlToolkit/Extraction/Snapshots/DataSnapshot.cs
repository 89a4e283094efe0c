using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using MlToolkit.Data;
using MlToolkit.Storage;

namespace MlToolkit.Extraction.Snapshots;

/// <summary>
/// A content-addressed copy of what a source gave a pipeline run, kept in an <see cref="IArtifactStore"/> so that the run
/// can be repeated later on exactly the same data (<see cref="SnapshotDataSource"/>), whatever the database or API holds by
/// then. Model manifests record the snapshots of the run that trained them.
/// </summary>
/// <remarks>
/// <para>The content is a canonical columnar JSON document (column names, kinds and every value; numbers in their shortest
/// round-trip form, missing values as <c>null</c>), gzip-compressed in the store. Its SHA-256 names it
/// (<c>{prefix}/{sha256}.json.gz</c>), so the same data is stored once however many runs read it, and a snapshot that was
/// altered in the store no longer matches its name and is refused when read.</para>
/// </remarks>
/// <param name="Source">The source's name (as in logs: no secrets).</param>
/// <param name="Key">The snapshot's key in its store.</param>
/// <param name="Sha256">The SHA-256 of its canonical content, lowercase hex.</param>
/// <param name="Rows">Its row count.</param>
/// <param name="Columns">Its column count.</param>
public sealed record DataSnapshot(string Source, string Key, string Sha256, long Rows, int Columns)
{
    private const int Format = 1;

    /// <summary>Writes <paramref name="table"/> under <paramref name="prefix"/> in <paramref name="store"/> (once: an identical snapshot already there is kept).</summary>
    /// <param name="store">The store.</param>
    /// <param name="prefix">The key prefix, such as <c>snapshots</c>.</param>
    /// <param name="table">The data as the source gave it.</param>
    /// <param name="source">The source's name.</param>
    /// <param name="absentColumns">Columns the run ignored that the table lacks (a source may leave out ignored columns); a snapshot source gives them back empty, so the same pipeline accepts it.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The snapshot.</returns>
    public static async Task<DataSnapshot> SaveAsync(IArtifactStore store, string prefix, DataTable table, string source, IReadOnlyCollection<string>? absentColumns = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        byte[] canonical = Serialize(table, source, absentColumns ?? []);
        string sha = Convert.ToHexStringLower(SHA256.HashData(canonical));
        string key = $"{prefix.TrimEnd('/')}/{sha}.json.gz";
        if (!await store.ExistsAsync(key, cancellationToken).ConfigureAwait(false))
        {
            using var compressed = new MemoryStream();
            using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                gzip.Write(canonical);
            }

            compressed.Position = 0;
            try
            {
                await store.WriteAsync(key, compressed, ArtifactWriteMode.CreateNew, cancellationToken).ConfigureAwait(false);
            }
            catch (ArtifactExistsException)
            {
                // Another run stored the same data first: content-addressed, so it is the same snapshot.
            }
        }

        return new DataSnapshot(source, key, sha, table.RowCount, table.Columns.Count);
    }

    /// <summary>Reads a snapshot back, refusing one whose content no longer matches its SHA-256.</summary>
    /// <param name="store">The store.</param>
    /// <param name="key">The snapshot's key (<c>…/{sha256}.json.gz</c>).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The data, with the run's absent ignored columns as empty text columns.</returns>
    /// <exception cref="DataSourceException">The snapshot is missing, altered or not a snapshot.</exception>
    public static async Task<DataTable> ReadAsync(IArtifactStore store, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        string location = store.GetLocation(key);
        string name = Path.GetFileName(key);
        if (!name.EndsWith(".json.gz", StringComparison.Ordinal) || name.Length != 64 + 8)
        {
            throw new DataSourceException(location, $"'{key}' is not a snapshot key ({{sha256}}.json.gz).");
        }

        byte[] canonical;
        Stream stream = await store.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var gzip = new GZipStream(stream, CompressionMode.Decompress);
            using var buffer = new MemoryStream();
            try
            {
                await gzip.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                throw new DataSourceException(location, $"The snapshot {location} is not gzip data: {ex.Message}", innerException: ex);
            }

            canonical = buffer.ToArray();
        }

        string sha = Convert.ToHexStringLower(SHA256.HashData(canonical));
        if (!name.StartsWith(sha, StringComparison.Ordinal))
        {
            throw new DataSourceException(location, $"The snapshot {location} was altered: its content hashes to {sha}, not to the SHA-256 in its name. It cannot reproduce the run it was taken for.");
        }

        return Deserialize(canonical, location);
    }

    /// <summary>The canonical content: the same table always gives the same bytes.</summary>
    internal static byte[] Serialize(DataTable table, string source, IReadOnlyCollection<string> absentColumns)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("format", Format);
            json.WriteString("source", source);
            json.WriteNumber("rows", table.RowCount);
            json.WriteStartArray("absent");
            foreach (string absent in absentColumns.Order(StringComparer.Ordinal))
            {
                json.WriteStringValue(absent);
            }

            json.WriteEndArray();
            json.WriteStartArray("columns");
            foreach (DataTableColumn column in table.Columns)
            {
                json.WriteStartObject();
                json.WriteString("name", column.Name);
                json.WriteString("kind", column.Kind.ToString());
                if (column is VectorColumn v)
                {
                    json.WriteNumber("size", v.Size);
                }

                json.WriteStartArray("values");
                for (int row = 0; row < table.RowCount; row++)
                {
                    int i = table.SourceRow(row);
                    switch (column)
                    {
                        case NumberColumn n:
                            WriteFloat(json, n.Values[i]);
                            break;
                        case BooleanColumn b:
                            json.WriteBooleanValue(b.Values[i]);
                            break;
                        case VectorColumn vector:
                            json.WriteStartArray();
                            foreach (float f in vector.Values.AsSpan(i * vector.Size, vector.Size))
                            {
                                WriteFloat(json, f);
                            }

                            json.WriteEndArray();
                            break;
                        default:
                            if (column.FormatValue(i) is { } text)
                            {
                                json.WriteStringValue(text);
                            }
                            else
                            {
                                json.WriteNullValue();
                            }

                            break;
                    }
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteFloat(Utf8JsonWriter json, float value)
    {
        if (float.IsNaN(value))
        {
            json.WriteNullValue();
        }
        else if (float.IsInfinity(value))
        {
            json.WriteStringValue(value > 0 ? "Infinity" : "-Infinity");
        }
        else
        {
            json.WriteNumberValue(value);
        }
    }

    private static float ReadFloat(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null => float.NaN,
        JsonValueKind.String => element.GetString() == "Infinity" ? float.PositiveInfinity : float.NegativeInfinity,
        _ => element.GetSingle(),
    };

    private static DataTable Deserialize(byte[] canonical, string location)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(canonical);
            JsonElement root = document.RootElement;
            if (root.GetProperty("format").GetInt32() != Format)
            {
                throw new DataSourceException(location, $"The snapshot {location} has format {root.GetProperty("format").GetInt32()}, which this version cannot read.");
            }

            int rows = root.GetProperty("rows").GetInt32();
            var columns = new List<DataTableColumn>();
            foreach (JsonElement column in root.GetProperty("columns").EnumerateArray())
            {
                string name = column.GetProperty("name").GetString()!;
                JsonElement values = column.GetProperty("values");
                columns.Add(Enum.Parse<ColumnKind>(column.GetProperty("kind").GetString()!) switch
                {
                    ColumnKind.Number => new NumberColumn(name, [.. values.EnumerateArray().Select(ReadFloat)]),
                    ColumnKind.Boolean => new BooleanColumn(name, [.. values.EnumerateArray().Select(v => v.GetBoolean())]),
                    ColumnKind.Vector => new VectorColumn(name, column.GetProperty("size").GetInt32(), [.. values.EnumerateArray().SelectMany(v => v.EnumerateArray()).Select(ReadFloat)]),
                    _ => new TextColumn(name, [.. values.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? null : v.GetString())]),
                });
            }

            foreach (JsonElement absent in root.GetProperty("absent").EnumerateArray())
            {
                columns.Add(new TextColumn(absent.GetString()!, new string?[rows]));
            }

            return new DataTable(columns);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new DataSourceException(location, $"The snapshot {location} is not a readable snapshot: {ex.Message}", innerException: ex);
        }
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Source}: {Rows} rows × {Columns} columns → {Key}");
}

/// <summary>Reads a <see cref="DataSnapshot"/> back, so that a run can be repeated on exactly the data it read before.</summary>
public sealed class SnapshotDataSource : DataSourceBase
{
    private readonly IArtifactStore _store;
    private readonly string _key;

    /// <summary>Creates the source.</summary>
    /// <param name="store">The store holding the snapshot.</param>
    /// <param name="key">The snapshot's key, as in <see cref="DataSnapshot.Key"/> or a model manifest.</param>
    public SnapshotDataSource(IArtifactStore store, string key)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _key = ArtifactStoreBase.NormalizeKey(key);
        Name = "snapshot " + store.GetLocation(_key);
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    protected override async Task<ExtractedData> ExtractCoreAsync(ExtractionContext context, CancellationToken cancellationToken)
        => new(await DataSnapshot.ReadAsync(_store, _key, cancellationToken).ConfigureAwait(false));
}

/// <summary>Where a pipeline keeps its snapshots.</summary>
/// <param name="Store">The store.</param>
/// <param name="Prefix">The key prefix.</param>
internal sealed record SnapshotTarget(IArtifactStore Store, string Prefix);
