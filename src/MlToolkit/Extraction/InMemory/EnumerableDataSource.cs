using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlToolkit.Extraction.InMemory;

/// <summary>
/// Reads an <see cref="IEnumerable{T}"/> of objects: each public property or field of <typeparamref name="T"/> is a
/// column (ML.NET's <c>LoadFromEnumerable</c> rules: <c>[ColumnName]</c>, <c>[VectorType]</c>, <c>[NoColumn]</c>).
/// Numbers become <see cref="float"/>; <see cref="float.NaN"/> and <see cref="double.NaN"/> are missing values;
/// null strings are missing text.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
public sealed class EnumerableDataSource<T> : DataSourceBase, ISchemaProvider
    where T : class
{
    private readonly IEnumerable<T> _items;
    private readonly SchemaDefinition? _schemaDefinition;

    /// <summary>Creates the source.</summary>
    /// <param name="items">The rows; enumerated once per run.</param>
    /// <param name="name">A name for messages.</param>
    /// <param name="schemaDefinition">An ML.NET schema definition to override the type's, or <see langword="null"/>.</param>
    public EnumerableDataSource(IEnumerable<T> items, string? name = null, SchemaDefinition? schemaDefinition = null)
    {
        _items = items ?? throw new ArgumentNullException(nameof(items));
        _schemaDefinition = schemaDefinition;
        Name = name ?? $"enumerable<{typeof(T).Name}>";
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public DataViewSchema GetSchema()
        => new MLContext().Data.LoadFromEnumerable(Array.Empty<T>(), _schemaDefinition).Schema;

    /// <inheritdoc />
    protected override Task<ExtractedData> ExtractCoreAsync(ExtractionContext context, CancellationToken cancellationToken)
    {
        // The lazy view: the pipeline copies it once into a table, leaving out ignored columns (of any type).
        cancellationToken.ThrowIfCancellationRequested();
        IDataView view = context.MLContext.Data.LoadFromEnumerable(_items, _schemaDefinition);
        return Task.FromResult(new ExtractedData(view));
    }
}
