using MlToolkit.Storage;

namespace MlToolkit.Deployment.Registry;

/// <summary>
/// Thrown when a <see cref="ModelRegistry"/> refuses to publish or move an alias because its store was seen to ignore
/// conditional writes (a create-only write over an existing key, or a compare-and-swap with a stale tag, succeeded), or,
/// for an alias move, offers no compare-and-swap at all. On such a store two publishers could commit one version number
/// and an alias move could be lost. It names the model, the store and what the probe saw.
/// </summary>
public sealed class ConditionalWritesNotHonouredException : MlToolkitException
{
    internal ConditionalWritesNotHonouredException(string model, string operation, string storeType, ConditionalWriteProbeResult probe, IReadOnlyList<string> problems)
        : base(PipelineStage.Deployment, probe.Location, $"Model '{model}' cannot {operation} on its store ({storeType} at {probe.Location}): {string.Join("; ", problems)}. "
            + "Use a store that honours conditional writes (Amazon S3 has honoured If-None-Match and If-Match since 2024; Azure Blob Storage, Azurite and local folders do), "
            + $"or, if only one process ever writes to this registry, set {nameof(ModelRegistryOptions)}.{nameof(ModelRegistryOptions.AllowStoreWithoutConditionalWrites)} = true "
            + "(in configuration: MlToolkit:Registries:<name>:Options:AllowStoreWithoutConditionalWrites).")
    {
        Model = model;
        Operation = operation;
        Probe = probe;
    }

    /// <summary>The model name.</summary>
    public string Model { get; }

    /// <summary>What was refused, such as <c>publish</c> or <c>move alias 'production'</c>.</summary>
    public string Operation { get; }

    /// <summary>What the probe of the store saw.</summary>
    public ConditionalWriteProbeResult Probe { get; }
}
