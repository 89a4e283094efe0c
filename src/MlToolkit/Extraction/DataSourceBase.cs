using MlToolkit.Data;

namespace MlToolkit.Extraction;

/// <summary>
/// Shared plumbing for <see cref="IDataSource"/> implementations: foreign exceptions are wrapped once
/// in a <see cref="DataSourceException"/> that names the source; MlToolkit's own and cancellation pass through.
/// </summary>
public abstract class DataSourceBase : IDataSource
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public async Task<ExtractedData> ExtractAsync(ExtractionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await ExtractCoreAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not MlToolkitException and not OperationCanceledException)
        {
            throw new DataSourceException(Name, $"Reading {Name} failed: {ex.Message}", innerException: ex);
        }
    }

    /// <summary>Reads the data.</summary>
    /// <param name="context">The context.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The data.</returns>
    protected abstract Task<ExtractedData> ExtractCoreAsync(ExtractionContext context, CancellationToken cancellationToken);

    /// <inheritdoc />
    public override string ToString() => Name;
}
