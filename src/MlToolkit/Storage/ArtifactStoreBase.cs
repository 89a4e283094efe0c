using System.Runtime.CompilerServices;

namespace MlToolkit.Storage;

/// <summary>
/// Shared plumbing for <see cref="IArtifactStore"/> implementations: every public member validates and
/// normalizes the key once, then calls the protected core member.
/// </summary>
public abstract class ArtifactStoreBase : IArtifactStore
{
    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken = default)
        => OpenReadCoreAsync(NormalizeKey(key), cancellationToken);

    /// <inheritdoc />
    public Task WriteAsync(string key, Stream content, ArtifactWriteMode mode = ArtifactWriteMode.Overwrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanRead)
        {
            throw new ArgumentException("The content stream must be readable.", nameof(content));
        }

        return WriteCoreAsync(NormalizeKey(key), content, mode, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
        => ExistsCoreAsync(NormalizeKey(key), cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
        => DeleteCoreAsync(NormalizeKey(key), cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<string> ListAsync(string prefix = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        string normalized = prefix.Length == 0 ? string.Empty : NormalizePrefix(prefix);
        return ListCoreAsync(normalized, cancellationToken);
    }

    /// <inheritdoc />
    public string GetLocation(string key) => GetLocationCore(NormalizeKey(key));

    /// <summary>Opens a validated key for reading.</summary>
    /// <param name="key">The normalized key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stream.</returns>
    protected abstract Task<Stream> OpenReadCoreAsync(string key, CancellationToken cancellationToken);

    /// <summary>Writes a validated key atomically.</summary>
    /// <param name="key">The normalized key.</param>
    /// <param name="content">The content.</param>
    /// <param name="mode">The write mode.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task.</returns>
    protected abstract Task WriteCoreAsync(string key, Stream content, ArtifactWriteMode mode, CancellationToken cancellationToken);

    /// <summary>Tells whether a validated key exists.</summary>
    /// <param name="key">The normalized key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether it exists.</returns>
    protected abstract Task<bool> ExistsCoreAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes a validated key.</summary>
    /// <param name="key">The normalized key.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Whether something was deleted.</returns>
    protected abstract Task<bool> DeleteCoreAsync(string key, CancellationToken cancellationToken);

    /// <summary>Lists keys under a validated prefix.</summary>
    /// <param name="prefix">The normalized prefix, possibly empty.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The keys in ordinal order.</returns>
    protected abstract IAsyncEnumerable<string> ListCoreAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Describes where a validated key lives.</summary>
    /// <param name="key">The normalized key.</param>
    /// <returns>A path or URI without secrets.</returns>
    protected abstract string GetLocationCore(string key);

    /// <summary>
    /// Validates a key: relative, forward or back slashes, no empty, <c>.</c> or <c>..</c> segments,
    /// no control characters. Returns it with forward slashes.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <returns>The normalized key.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArtifactKeyException">The key is empty, rooted, malformed or would escape the store's root.</exception>
    public static string NormalizeKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string normalized = key.Replace('\\', '/');
        string? problem = normalized.Length == 0 ? "is empty"
            : normalized.StartsWith('/') || Path.IsPathRooted(key) ? "is rooted"
            : normalized.Contains(':', StringComparison.Ordinal) ? "contains ':' (a drive or a stream name)"
            : normalized.EndsWith('/') ? "ends with '/'"
            : null;
        if (problem is null)
        {
            foreach (string segment in normalized.Split('/'))
            {
                problem = segment switch
                {
                    "" => "has an empty segment",
                    "." => "has a '.' segment",
                    ".." => "has a '..' segment, which would leave the store: keys must stay inside the store",
                    _ when segment.Any(char.IsControl) => "contains a control character",
                    _ => null,
                };
                if (problem is not null)
                {
                    break;
                }
            }
        }

        if (problem is not null)
        {
            throw new ArtifactKeyException(key, $"{problem}. {KeyRule}");
        }

        return normalized;
    }

    /// <summary>What a key may be, for messages.</summary>
    internal const string KeyRule = "Use a relative key of '/'-separated segments that are not empty, '.' or '..', such as 'models/churn/model.zip'.";

    private static string NormalizePrefix(string prefix)
    {
        string trimmed = prefix.Replace('\\', '/').TrimEnd('/');
        return trimmed.Length == 0 ? string.Empty : NormalizeKey(trimmed) + (prefix.EndsWith('/') ? "/" : string.Empty);
    }

    /// <summary>Wraps a synchronous sequence for <see cref="ListCoreAsync"/> implementations.</summary>
    /// <param name="keys">The keys.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The keys as an async sequence.</returns>
    protected static async IAsyncEnumerable<string> ToAsync(IEnumerable<string> keys, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (string key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return key;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
