using MlToolkit.Deployment;
using MlToolkit.Pipeline;
using MlToolkit.Storage;

namespace MlToolkit;

/// <summary>Builder verbs that deploy the model.</summary>
public static class DeploymentBuilderExtensions
{
    /// <summary>Saves the model (preparation and trainer in one file) under <paramref name="key"/> of <paramref name="store"/>, atomically.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="store">The store.</param>
    /// <param name="key">The key.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder SaveModelTo(this PipelineBuilder builder, IArtifactStore store, string key = "model.zip")
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.DeployTo(new ModelFileDeployer(store, key));
    }
}
