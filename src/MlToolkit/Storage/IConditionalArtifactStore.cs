namespace MlToolkit.Storage;

/// <summary>
/// A store that can replace an object only if nobody changed it since it was read (compare-and-swap on a version tag, such
/// as an HTTP ETag). <see cref="Deployment.Registry.ModelRegistry"/> moves aliases with it, so that two concurrent
/// promotions never lose one another; on a store without it, the registry refuses to move aliases unless
/// <see cref="Deployment.Registry.ModelRegistryOptions.AllowStoreWithoutConditionalWrites"/> is set (then the last move wins).
/// An implementation must make the service honour the conditions: the registry probes for that before relying on them.
/// </summary>
/// <remarks>
/// <see cref="LocalArtifactStore"/> implements it with a lock file per key and a content hash as the tag; the Azure Blob
/// store with ETags and <c>If-Match</c>/<c>If-None-Match</c>; the S3 store with S3's conditional writes.
/// </remarks>
public interface IConditionalArtifactStore : IArtifactStore
{
    /// <summary>Reads a small object whole, with its version tag.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The content and tag, or <see langword="null"/> when there is no object.</returns>
    Task<VersionedArtifact?> ReadVersionedAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="content"/> under <paramref name="key"/> atomically, only if the object still has
    /// <paramref name="expectedTag"/> (or, when it is <see langword="null"/>, only if there is no object).
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="content">The content, read from its current position to its end.</param>
    /// <param name="expectedTag">The tag returned by <see cref="ReadVersionedAsync"/>, or <see langword="null"/> to create.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The new tag.</returns>
    /// <exception cref="ArtifactChangedException">The object changed since it was read; read it again and retry.</exception>
    Task<string> WriteIfUnchangedAsync(string key, Stream content, string? expectedTag, CancellationToken cancellationToken = default);
}

/// <summary>An object's content and its version tag.</summary>
/// <param name="Content">The content.</param>
/// <param name="Tag">The version tag, opaque to callers.</param>
public sealed record VersionedArtifact(byte[] Content, string Tag);
