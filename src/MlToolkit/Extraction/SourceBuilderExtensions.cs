using MlToolkit.Extraction.Csv;
using MlToolkit.Extraction.InMemory;
using MlToolkit.Pipeline;
using MlToolkit.Storage;

namespace MlToolkit;

/// <summary>Builder verbs that set the data source.</summary>
public static class SourceBuilderExtensions
{
    /// <summary>Reads a CSV file (see <see cref="CsvDataSource"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The file.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder FromCsv(this PipelineBuilder builder, string path, CsvSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.From(CsvDataSource.FromFile(path, options));
    }

    /// <summary>Reads a CSV file configured fluently.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The file.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder FromCsv(this PipelineBuilder builder, string path, Action<CsvSourceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new CsvSourceOptions();
        configure(options);
        return builder.FromCsv(path, options);
    }

    /// <summary>Reads a CSV object from a store.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="store">The store.</param>
    /// <param name="key">The key.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder FromCsv(this PipelineBuilder builder, IArtifactStore store, string key, CsvSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.From(CsvDataSource.FromStore(store, key, options));
    }

    /// <summary>Reads objects (see <see cref="EnumerableDataSource{T}"/>).</summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="items">The rows.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder FromEnumerable<T>(this PipelineBuilder builder, IEnumerable<T> items)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.From(new EnumerableDataSource<T>(items));
    }

    /// <summary>Reads a data frame (see <see cref="DataFrameDataSource"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="frame">The data frame.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder FromDataFrame(this PipelineBuilder builder, Microsoft.Data.Analysis.DataFrame frame)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.From(new DataFrameDataSource(frame));
    }
}
