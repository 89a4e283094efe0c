namespace MlToolkit.Deployment.Registry;

/// <summary>How a <see cref="ModelRegistry"/> treats its store.</summary>
public sealed class ModelRegistryOptions
{
    /// <summary>
    /// Whether to publish and move aliases on a store that was seen to ignore conditional writes (or that offers no
    /// compare-and-swap, for alias moves). Set it only when a single process ever writes to the registry: there, two
    /// publishers could commit the same version number (the second overwriting the first) and one of two concurrent alias
    /// moves could be lost. When it is <see langword="false"/>, the registry probes its store once (a few small writes under
    /// <c>{name}/probes/</c>) before its first publish or alias move and refuses both with a
    /// <see cref="ConditionalWritesNotHonouredException"/> if the store does not honour them; when it is
    /// <see langword="true"/>, it does not probe.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowStoreWithoutConditionalWrites { get; set; }
}
