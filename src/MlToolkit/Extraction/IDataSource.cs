using Microsoft.ML;

namespace MlToolkit.Extraction;

/// <summary>
/// Stage 2 of a pipeline: reads data into an ML.NET <see cref="IDataView"/>. Derive from
/// <see cref="DataSourceBase"/> to get stage-boundary error wrapping for free.
/// </summary>
public interface IDataSource
{
    /// <summary>A short name that identifies the source in logs, results and errors (a path, never a secret).</summary>
    string Name { get; }

    /// <summary>Reads the data.</summary>
    /// <param name="context">The run's ML.NET context, logger and progress.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The data and a report of rows that were skipped, if any.</returns>
    Task<ExtractedData> ExtractAsync(ExtractionContext context, CancellationToken cancellationToken = default);
}

/// <summary>
/// Implemented by sources that can tell their schema cheaply (from a header and a sample), so that
/// <c>PipelineBuilder.Build()</c> checks every column name and type before any data is read.
/// </summary>
public interface ISchemaProvider
{
    /// <summary>The schema the source will produce.</summary>
    /// <returns>The schema.</returns>
    DataViewSchema GetSchema();
}
