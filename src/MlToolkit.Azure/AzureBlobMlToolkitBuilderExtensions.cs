using MlToolkit.Azure;
using MlToolkit.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Azure Blob stores to <c>AddMlToolkit</c>.</summary>
public static class AzureBlobMlToolkitBuilderExtensions
{
    /// <summary>
    /// Lets configuration define Azure Blob stores, resolved as keyed <see cref="MlToolkit.Storage.IArtifactStore"/>s
    /// (<see cref="AzureBlobArtifactStore"/>): <c>MlToolkit:Stores:{name}:Kind = AzureBlob</c> with
    /// <list type="bullet">
    /// <item><c>ConnectionString</c>: a storage account connection string (<c>UseDevelopmentStorage=true</c> for Azurite), or</item>
    /// <item><c>ServiceUri</c>: <c>https://{account}.blob.core.windows.net</c>, authenticated by the <c>Azure.Core.TokenCredential</c>
    /// registered in the services when there is one, else by <c>Azure.Identity.DefaultAzureCredential</c> (environment, workload
    /// identity, managed identity, Azure CLI …);</item>
    /// <item><c>Container</c> (required), <c>Prefix</c> (a folder for every key) and <c>CreateContainer</c> (default <c>true</c>).</item>
    /// </list>
    /// The settings are checked when the host starts, with the other options (every problem in one exception); the connection
    /// string is never shown in a message.
    /// </summary>
    /// <param name="builder">The builder that <c>AddMlToolkit</c> gives.</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// // "MlToolkit": { "Stores": { "blob": { "Kind": "AzureBlob", "ServiceUri": "https://account.blob.core.windows.net", "Container": "models" } },
    /// //                "Registries": { "churn": { "Store": "blob" } } }
    /// builder.Services.AddMlToolkit(builder.Configuration.GetSection("MlToolkit"), ml => ml.AddAzureBlobStores());
    /// </code>
    /// </example>
    public static MlToolkitBuilder AddAzureBlobStores(this MlToolkitBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddStoreKind(new AzureBlobStoreKind());
    }
}
