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
