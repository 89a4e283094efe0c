using MlToolkit.Deployment;
using MlToolkit.Deployment.Registry;
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
    /// <exception cref="ArtifactKeyException">The key is malformed or would leave the store (a <c>..</c> segment, a rooted path).</exception>
    public static PipelineBuilder SaveModelTo(this PipelineBuilder builder, IArtifactStore store, string key = "model.zip")
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.DeployTo(new ModelFileDeployer(store, key));
    }

    /// <summary>
    /// Publishes the model as the next version of <paramref name="registry"/> and promotes it to <paramref name="promoteTo"/>
    /// when validation passed (or when <paramref name="forcePromotion"/> is set).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="registry">The registry.</param>
    /// <param name="promoteTo">The alias to promote to, or <see langword="null"/> to only publish.</param>
    /// <param name="forcePromotion">Whether to promote a version whose validation failed or did not run.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder PublishTo(this PipelineBuilder builder, ModelRegistry registry, string? promoteTo = "production", bool forcePromotion = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.DeployTo(new RegistryDeployer(registry, promoteTo, forcePromotion));
    }
}
