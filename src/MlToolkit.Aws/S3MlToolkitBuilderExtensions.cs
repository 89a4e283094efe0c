using MlToolkit.Aws;
using MlToolkit.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds S3 stores to <c>AddMlToolkit</c>.</summary>
public static class S3MlToolkitBuilderExtensions
{
    /// <summary>
    /// Lets configuration define S3 stores, resolved as keyed <see cref="MlToolkit.Storage.IArtifactStore"/>s
    /// (<see cref="S3ArtifactStore"/>): <c>MlToolkit:Stores:{name}:Kind = S3</c> with
    /// <list type="bullet">
    /// <item><c>Bucket</c> (required, and it must exist) and <c>Prefix</c> (a folder for every key);</item>
    /// <item><c>Region</c> (such as <c>eu-west-1</c>; without it, AWS's own settings: <c>AWS_REGION</c>, the profile), or
    /// <c>ServiceUrl</c> for an S3-compatible service (with <c>Region</c> as its signing region) and <c>ForcePathStyle</c>
    /// (default <c>false</c>; most S3-compatible services need <c>true</c>);</item>
    /// <item><c>AccessKey</c> and <c>SecretKey</c> (and <c>SessionToken</c>), or none of them for AWS's default credential chain
    /// (environment variables, web identity, profile, container or instance role).</item>
    /// </list>
    /// The settings are checked when the host starts, with the other options (every problem in one exception); keys are
    /// never shown in a message. A registry on a service that ignores conditional writes is refused (see
    /// <see cref="MlToolkit.Deployment.Registry.ModelRegistryOptions.AllowStoreWithoutConditionalWrites"/>).
    /// </summary>
    /// <param name="builder">The builder that <c>AddMlToolkit</c> gives.</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// // "MlToolkit": { "Stores": { "s3": { "Kind": "S3", "Bucket": "models", "Region": "eu-west-1" } },
    /// //                "Registries": { "churn": { "Store": "s3" } } }
    /// builder.Services.AddMlToolkit(builder.Configuration.GetSection("MlToolkit"), ml => ml.AddS3Stores());
    /// </code>
    /// </example>
    public static MlToolkitBuilder AddS3Stores(this MlToolkitBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddStoreKind(new S3StoreKind());
    }
}
