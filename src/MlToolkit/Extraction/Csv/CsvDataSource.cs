using Microsoft.ML;
using MlToolkit.Data;
using MlToolkit.Storage;

namespace MlToolkit.Extraction.Csv;

/// <summary>
/// Reads a CSV file, stream or store object with CsvHelper 34 into an in-memory columnar <see cref="IDataView"/>.
/// Column kinds are inferred from a sample or given in <see cref="CsvSourceOptions.ColumnTypes"/>; a column that is
/// numeric but for a few values is refused rather than read as text. Empty and missing numbers are
/// <see cref="float.NaN"/>, never 0. Strict by default: a malformed record (also one past
/// <see cref="CsvSourceOptions.MaxRecordLines"/> or <see cref="CsvSourceOptions.MaxRecordBytes"/>), a wrong field count,
/// bytes that are not valid UTF-8 or an unparseable value throws a <see cref="CsvDataException"/> naming the source, line,
/// column and expected type; with <see cref="BadRowHandling.Skip"/> such rows are skipped and counted, up to
/// <see cref="CsvSourceOptions.MaxSkippedRowShare"/>. A file that looks separated by another character than
/// <see cref="CsvSourceOptions.Separator"/> (a single column whose header holds <c>;</c>, tab or <c>|</c>) is refused
/// with a hint.
/// </summary>
public sealed class CsvDataSource : DataSourceBase, ISchemaProvider
{
    private readonly Stream? _stream;
    private readonly string? _path;
    private readonly CsvParser _parser;
    private byte[]? _bytes;
    private (string[] Names, ColumnKind[] Kinds)? _schema;

    private CsvDataSource(string name, string? path, Stream? stream, byte[]? bytes, CsvSourceOptions? options)
    {
        Options = options ?? new CsvSourceOptions();
        Options.Validate();
        Name = name;
        _path = path;
        _stream = stream;
        _bytes = bytes;
        _parser = new CsvParser(Options, name);
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>The options.</summary>
    public CsvSourceOptions Options { get; }

    /// <summary>A source that reads a file.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The source.</returns>
    public static CsvDataSource FromFile(string path, CsvSourceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        return new CsvDataSource(full, full, null, null, options);
    }

    /// <summary>A source that reads a stream once, when the schema is first asked for or at the first run (its bytes are kept in memory, so the source can be run again).</summary>
    /// <param name="stream">The stream, read from its current position; the source does not dispose it.</param>
    /// <param name="name">A name for messages, such as the stream's origin.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The source.</returns>
    public static CsvDataSource FromStream(Stream stream, string name = "stream", CsvSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new CsvDataSource(name, null, stream, null, options);
    }

    /// <summary>A source that reads a CSV object from an <see cref="IArtifactStore"/> (a blob, a local file…).</summary>
    /// <param name="store">The store.</param>
    /// <param name="key">The object's key.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The source; its schema is known only once it is read, so it is checked at the start of a run.</returns>
    public static CsvStoreDataSource FromStore(IArtifactStore store, string key, CsvSourceOptions? options = null)
        => new(store, key, options);

    internal static CsvDataSource FromBytes(string name, byte[] bytes, CsvSourceOptions? options)
        => new(name, null, null, bytes, options);

    /// <summary>The schema: the header's names with inferred or given kinds. Reads the header and the inference sample.</summary>
    /// <returns>The schema.</returns>
    /// <exception cref="CsvDataException">The file is missing, empty or malformed within the sample.</exception>
    public DataViewSchema GetSchema()
    {
        (string[] names, ColumnKind[] kinds) = InferSchema();
        return CsvParser.ToSchema(names, kinds);
    }

    /// <inheritdoc />
    protected override async Task<ExtractedData> ExtractCoreAsync(ExtractionContext context, CancellationToken cancellationToken)
    {
        if (_stream is not null && _bytes is null)
        {
            using var buffer = new MemoryStream();
            await _stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            _bytes = buffer.ToArray();
        }

        return await Task.Run(
            () =>
            {
                (string[] names, ColumnKind[] kinds) = InferSchema();
                (DataTable table, List<SkippedRow> skipped, long count) = _parser.Parse(Open, names, kinds, context.RowsRead, cancellationToken);
                return new ExtractedData(table, skipped, count);
            },
            cancellationToken).ConfigureAwait(false);
    }

    private (string[] Names, ColumnKind[] Kinds) InferSchema()
    {
        if (_stream is not null && _bytes is null)
        {
            // Build() asks for the schema before any run: read the stream once, synchronously.
            using var buffer = new MemoryStream();
            _stream.CopyTo(buffer);
            _bytes = buffer.ToArray();
        }

        return _schema ??= _parser.InferSchema(Open);
    }

    private CsvInput Open()
        => _path is not null ? CsvInput.ForFile(_path, Options.Encoding) : CsvInput.ForBytes(_bytes!, Options.Encoding);
}

/// <summary>A CSV source over an object in an <see cref="IArtifactStore"/>; see <see cref="CsvDataSource"/> for the reading rules.</summary>
public sealed class CsvStoreDataSource : DataSourceBase
{
    private readonly IArtifactStore _store;
    private readonly string _key;
    private readonly CsvSourceOptions? _options;

    internal CsvStoreDataSource(IArtifactStore store, string key, CsvSourceOptions? options)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _key = ArtifactStoreBase.NormalizeKey(key);
        _options = options;
        (options ?? new CsvSourceOptions()).Validate();
        Name = store.GetLocation(_key);
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    protected override async Task<ExtractedData> ExtractCoreAsync(ExtractionContext context, CancellationToken cancellationToken)
    {
        Stream stream = await _store.OpenReadAsync(_key, cancellationToken).ConfigureAwait(false);
        byte[] bytes;
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            bytes = buffer.ToArray();
        }

        CsvDataSource inner = CsvDataSource.FromBytes(Name, bytes, _options);
        return await inner.ExtractAsync(context, cancellationToken).ConfigureAwait(false);
    }
}
