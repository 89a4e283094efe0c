using Microsoft.Extensions.Configuration;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;

namespace MlToolkit.Hosting;

/// <summary>
/// What <c>AddMlToolkit</c> registers, by name, usually bound from the <c>MlToolkit</c> configuration section:
/// <code>
/// "MlToolkit": {
///   "Stores": {
///     "local": { "Path": "artifacts" },
///     "blob": { "Kind": "AzureBlob", "ServiceUri": "https://account.blob.core.windows.net", "Container": "models" },
///     "s3": { "Kind": "S3", "Bucket": "models", "Region": "eu-west-1" }
///   },
///   "Registries": { "churn": { "Store": "blob" } },
///   "PredictionServices": { "churn": { "Registry": "churn", "Options": { "Alias": "production", "ReloadInterval": "00:00:05" } } }
/// }
/// </code>
/// Validated when the host starts: every problem is listed in one <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>.
/// A store's <see cref="StoreOptions.Kind"/> other than <c>Local</c> is made by the package that adds it: <c>AzureBlob</c> by
/// <c>MlToolkit.Azure</c> (<c>ml.AddAzureBlobStores()</c>), <c>S3</c> by <c>MlToolkit.Aws</c> (<c>ml.AddS3Stores()</c>).
/// </summary>
public sealed class MlToolkitOptions
{
    /// <summary>Stores, by name (stores made in code with <see cref="MlToolkitBuilder.AddStore"/> are not listed here).</summary>
    public Dictionary<string, StoreOptions> Stores { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Model registries, by name.</summary>
    public Dictionary<string, RegistryOptions> Registries { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Prediction services, by name.</summary>
    public Dictionary<string, PredictionServiceRegistration> PredictionServices { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// A store: a local folder (<see cref="Path"/>), or another <see cref="Kind"/> whose settings (the other keys of the
/// store's configuration section) the package that adds the kind reads.
/// </summary>
public sealed class StoreOptions
{
    /// <summary>The name of the local kind, which needs no package.</summary>
    internal const string LocalKind = "Local";

    /// <summary>
    /// The kind of store, ignoring case: <c>Local</c> (a folder), <c>AzureBlob</c> (package <c>MlToolkit.Azure</c>, added by
    /// <c>ml.AddAzureBlobStores()</c>), <c>S3</c> (package <c>MlToolkit.Aws</c>, <c>ml.AddS3Stores()</c>), or one added with
    /// <see cref="MlToolkitBuilder.AddStoreKind"/>.
    /// </summary>
    /// <value>The default value is <c>Local</c>.</value>
    public string Kind { get; set; } = LocalKind;

    /// <summary>The folder of a <c>Local</c> store (relative paths are from the current directory).</summary>
    /// <value>The default value is <see langword="null"/>, which is refused for a local store.</value>
    public string? Path { get; set; }

    /// <summary>The store's configuration section, for kinds other than <c>Local</c> (set by <c>AddMlToolkit</c>, not bound).</summary>
    internal IConfiguration? Settings { get; set; }

    /// <summary>Whether <see cref="Kind"/> is the local kind.</summary>
    internal bool IsLocal => string.Equals(Kind, LocalKind, StringComparison.OrdinalIgnoreCase);
}

/// <summary>A model registry.</summary>
public sealed class RegistryOptions
{
    /// <summary>The name of the store that holds it.</summary>
    /// <value>The default value is empty, which is refused.</value>
    public string Store { get; set; } = string.Empty;

    /// <summary>The registry's name in the store, or <see langword="null"/> for its name here.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Name { get; set; }

    /// <summary>How the registry treats its store (<c>Options:AllowStoreWithoutConditionalWrites</c>).</summary>
    public ModelRegistryOptions Options { get; set; } = new();
}

/// <summary>A prediction service over a registry alias.</summary>
public sealed class PredictionServiceRegistration
{
    /// <summary>The name of the registry it serves from.</summary>
    /// <value>The default value is empty, which is refused.</value>
    public string Registry { get; set; } = string.Empty;

    /// <summary>The alias, reload interval and input policies.</summary>
    public PredictionServiceOptions Options { get; set; } = new();
}
