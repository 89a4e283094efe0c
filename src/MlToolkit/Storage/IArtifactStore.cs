namespace MlToolkit.Storage;

/// <summary>
/// Stage 1 of a pipeline: a place where data sets, models and manifests are kept under string keys
/// such as <c>models/churn/model.zip</c>. Keys use forward slashes and never escape the store's root.
/// </summary>
/// <remarks>
/// Implementations must make <see cref="WriteAsync"/> atomic: a reader sees either the previous content
/// or the complete new content, never a partly written object. Implement by deriving from
/// <see cref="ArtifactStoreBase"/>, which validates keys once for every store.
/// </remarks>
public interface IArtifactStore
{
    /// <summary>Opens the object stored under <paramref name="key"/> for reading.</summary>
    /// <param name="key">The key of the object.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A readable stream that the caller disposes.</returns>
    /// <exception cref="ArtifactNotFoundException">No object is stored under <paramref name="key"/>.</exception>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="content"/> under <paramref name="key"/> atomically.</summary>
    /// <param name="key">The key of the object.</param>
    /// <param name="content">The content, read from its current position to its end.</param>
    /// <param name="mode">Whether an existing object may be replaced.</param>
    /// <param name="cancellationToken">Cancels the operation; nothing is left behind when it is cancelled.</param>
    /// <exception cref="ArtifactExistsException"><paramref name="mode"/> is <see cref="ArtifactWriteMode.CreateNew"/> and the key exists.</exception>
    Task WriteAsync(string key, Stream content, ArtifactWriteMode mode = ArtifactWriteMode.Overwrite, CancellationToken cancellationToken = default);

    /// <summary>Tells whether an object is stored under <paramref name="key"/>.</summary>
    /// <param name="key">The key of the object.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the object exists.</returns>
    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes the object stored under <paramref name="key"/>, if any.</summary>
    /// <param name="key">The key of the object.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when an object was deleted.</returns>
    Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Lists the keys that start with <paramref name="prefix"/>, in ordinal order.</summary>
    /// <param name="prefix">The prefix, or an empty string for every key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The matching keys.</returns>
    IAsyncEnumerable<string> ListAsync(string prefix = "", CancellationToken cancellationToken = default);

    /// <summary>A human-readable location of <paramref name="key"/> (a path or a URI) for logs and results.</summary>
    /// <param name="key">The key of the object.</param>
    /// <returns>The location; it never contains secrets.</returns>
    string GetLocation(string key);
}

/// <summary>How <see cref="IArtifactStore.WriteAsync"/> treats an existing object.</summary>
public enum ArtifactWriteMode
{
    /// <summary>Replace an existing object atomically.</summary>
    Overwrite,

    /// <summary>Fail with <see cref="ArtifactExistsException"/> when the key already exists.</summary>
    CreateNew,
}
