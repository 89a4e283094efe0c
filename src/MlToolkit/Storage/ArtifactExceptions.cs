namespace MlToolkit.Storage;

/// <summary>Thrown when an artifact key that must exist does not.</summary>
public sealed class ArtifactNotFoundException : MlToolkitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="key">The missing key.</param>
    /// <param name="location">Where it was looked for.</param>
    public ArtifactNotFoundException(string key, string location)
        : base(PipelineStage.Storage, location, $"No artifact is stored under '{key}' ({location}).")
    {
        Key = key;
    }

    /// <summary>The missing key.</summary>
    public string Key { get; }
}

/// <summary>Thrown when a write that must not overwrite finds the key already taken.</summary>
public sealed class ArtifactExistsException : MlToolkitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="key">The existing key.</param>
    /// <param name="location">Where it is.</param>
    public ArtifactExistsException(string key, string location)
        : base(PipelineStage.Storage, location, $"An artifact is already stored under '{key}' ({location}) and the write asked not to overwrite it.")
    {
        Key = key;
    }

    /// <summary>The existing key.</summary>
    public string Key { get; }
}

/// <summary>Thrown when a conditional write finds the object changed (or created, or deleted) since it was read.</summary>
public sealed class ArtifactChangedException : MlToolkitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="key">The key.</param>
    /// <param name="location">Where it is.</param>
    /// <param name="expectedTag">The tag the writer read, or <see langword="null"/> when it expected no object.</param>
    /// <param name="innerException">The store's own error, if any.</param>
    public ArtifactChangedException(string key, string location, string? expectedTag, Exception? innerException = null)
        : base(PipelineStage.Storage, location, expectedTag is null
            ? $"An artifact appeared under '{key}' ({location}) after it was found absent; another writer got there first."
            : $"The artifact under '{key}' ({location}) changed after it was read (expected tag {expectedTag}); another writer got there first.", innerException)
    {
        Key = key;
        ExpectedTag = expectedTag;
    }

    /// <summary>The key.</summary>
    public string Key { get; }

    /// <summary>The tag the writer expected, or <see langword="null"/> when it expected no object.</summary>
    public string? ExpectedTag { get; }
}

/// <summary>
/// Thrown when a key cannot be used in a store: it is malformed (empty, rooted, with an empty, <c>.</c> or <c>..</c>
/// segment, a control character), or it leads outside the store's root (through a symbolic link, in a local folder).
/// Keys never escape a store's root.
/// </summary>
public sealed class ArtifactKeyException : MlToolkitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="key">The key as it was given.</param>
    /// <param name="reason">What is wrong with it and what is allowed, in a sentence.</param>
    /// <param name="location">Where the store is, when known.</param>
    public ArtifactKeyException(string key, string reason, string? location = null)
        : base(PipelineStage.Storage, location, $"The artifact key '{key}' {reason}")
    {
        Key = key;
        Reason = reason;
    }

    /// <summary>The key as it was given.</summary>
    public string Key { get; }

    /// <summary>What is wrong with it and what is allowed.</summary>
    public string Reason { get; }
}
