using MlToolkit.Deployment.Prediction;

namespace MlToolkit.Hosting;

/// <summary>
/// What <c>AddMlToolkit</c> registers, by name, usually bound from the <c>MlToolkit</c> configuration section:
/// <code>
/// "MlToolkit": {
///   "Stores": { "local": { "Path": "artifacts" } },
///   "Registries": { "churn": { "Store": "local" } },
///   "PredictionServices": { "churn": { "Registry": "churn", "Options": { "Alias": "production", "ReloadInterval": "00:00:05" } } }
/// }
/// </code>
/// Validated when the host starts: every problem is listed in one <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>.
/// </summary>
public sealed class MlToolkitOptions
{
    /// <summary>Local folder stores, by name (stores made in code with <see cref="MlToolkitBuilder.AddStore"/> are not listed here).</summary>
    public Dictionary<string, StoreOptions> Stores { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Model registries, by name.</summary>
    public Dictionary<string, RegistryOptions> Registries { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Prediction services, by name.</summary>
    public Dictionary<string, PredictionServiceRegistration> PredictionServices { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>A local folder store.</summary>
public sealed class StoreOptions
{
    /// <summary>The folder (relative paths are from the current directory).</summary>
    /// <value>The default value is <see langword="null"/>, which is refused.</value>
    public string? Path { get; set; }
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
