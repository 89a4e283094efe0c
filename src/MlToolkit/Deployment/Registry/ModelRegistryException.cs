namespace MlToolkit.Deployment.Registry;

/// <summary>
/// Thrown by <see cref="ModelRegistry"/> when a version or alias does not exist, a model file is missing, empty,
/// truncated, tampered with or not a model, a manifest was edited after publish or disagrees with its model file (the
/// reason names each field that differs), or an operation is refused (deleting an aliased version, promoting an
/// unvalidated one, serving a version whose manifest cannot support the service's options). It names the model, the
/// version and the reason.
/// </summary>
public sealed class ModelRegistryException : MlToolkitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="model">The model name.</param>
    /// <param name="version">The version, when one is concerned.</param>
    /// <param name="reason">Why, in a sentence.</param>
    /// <param name="location">Where the registry is.</param>
    /// <param name="innerException">The cause, if any.</param>
    public ModelRegistryException(string model, int? version, string reason, string? location = null, Exception? innerException = null)
        : base(PipelineStage.Deployment, location, $"Model '{model}'{(version is null ? string.Empty : $" version {version}")}: {reason}", innerException)
    {
        Model = model;
        Version = version;
        Reason = reason;
    }

    /// <summary>The model name.</summary>
    public string Model { get; }

    /// <summary>The version concerned, if any.</summary>
    public int? Version { get; }

    /// <summary>Why the operation failed.</summary>
    public string Reason { get; }
}
