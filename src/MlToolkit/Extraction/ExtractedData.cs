using Microsoft.Extensions.Logging;
using Microsoft.ML;

namespace MlToolkit.Extraction;

/// <summary>What an <see cref="IDataSource"/> read.</summary>
/// <param name="Data">The data.</param>
/// <param name="SkippedRows">The rows a lenient source skipped, up to a cap; empty when none were.</param>
/// <param name="SkippedRowCount">How many rows were skipped in all.</param>
public sealed record ExtractedData(IDataView Data, IReadOnlyList<SkippedRow> SkippedRows, long SkippedRowCount)
{
    /// <summary>Data with nothing skipped.</summary>
    /// <param name="data">The data.</param>
    public ExtractedData(IDataView data)
        : this(data, [], 0)
    {
    }
}

/// <summary>A row a lenient source skipped, and why.</summary>
/// <param name="Line">The 1-based line (or row) of the skipped record.</param>
/// <param name="Column">The column at fault, when one is.</param>
/// <param name="Reason">Why it was skipped; values are not echoed unless the source was told to.</param>
public sealed record SkippedRow(long Line, string? Column, string Reason);

/// <summary>What a source gets from the pipeline that runs it.</summary>
public sealed class ExtractionContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="mlContext">The run's ML.NET context.</param>
    /// <param name="logger">The logger.</param>
    public ExtractionContext(MLContext mlContext, ILogger logger)
    {
        MLContext = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        Logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>A context for reading data outside a pipeline, with a fresh seeded <see cref="Microsoft.ML.MLContext"/> and no logging.</summary>
    /// <param name="seed">The seed.</param>
    /// <returns>The context.</returns>
    public static ExtractionContext Standalone(int seed = 0)
        => new(new MLContext(seed), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    /// <summary>The run's ML.NET context.</summary>
    public MLContext MLContext { get; }

    /// <summary>The logger.</summary>
    public ILogger Logger { get; }

    /// <summary>Receives the number of rows read so far, or <see langword="null"/>.</summary>
    public IProgress<long>? RowsRead { get; init; }
}
