using Microsoft.Extensions.Configuration;
using MlToolkit.Storage;

namespace MlToolkit.Hosting;

/// <summary>
/// Makes the stores of one <see cref="StoreOptions.Kind"/> that configuration defines, such as <c>AzureBlob</c> (package
/// <c>MlToolkit.Azure</c>, <c>ml.AddAzureBlobStores()</c>) or <c>S3</c> (package <c>MlToolkit.Aws</c>, <c>ml.AddS3Stores()</c>).
/// A package adds its kind with <see cref="MlToolkitBuilder.AddStoreKind"/>; <c>AddMlToolkit</c> checks every store's
/// settings with <see cref="Validate"/> when the host starts (all problems in one exception) and makes each store with
/// <see cref="Create"/> when it is first resolved, so the core never references a cloud SDK.
/// </summary>
public abstract class ArtifactStoreKind
{
    /// <summary>Creates the kind.</summary>
    /// <param name="name">The kind's name, as <c>Kind</c> gives it in configuration (compared ignoring case).</param>
    protected ArtifactStoreKind(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The kind's name, as <c>Kind</c> gives it in configuration.</summary>
    public string Name { get; }

    /// <summary>
    /// Checks one store's settings. Each problem is a sentence naming the setting and what to do (the caller puts the store's
    /// configuration path before it); it never quotes the value of a secret (a key, a password, a connection string).
    /// </summary>
    /// <param name="settings">The store's configuration section (<c>MlToolkit:Stores:{name}</c>), including <c>Kind</c>.</param>
    /// <returns>The problems; empty when the settings are usable.</returns>
    public abstract IReadOnlyList<string> Validate(IConfiguration settings);

    /// <summary>Makes one store from settings that <see cref="Validate"/> accepted.</summary>
    /// <param name="settings">The store's configuration section, including <c>Kind</c>.</param>
    /// <param name="services">The host's services (for a credential registered there, say).</param>
    /// <returns>The store.</returns>
    public abstract IArtifactStore Create(IConfiguration settings, IServiceProvider services);
}
