using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Pipeline;
using MlToolkit.Storage;

namespace MlToolkit.Hosting;

/// <summary>Adds named stores, registries, pipelines and prediction services in code, beside what configuration gives.</summary>
public sealed class MlToolkitBuilder
{
    internal MlToolkitBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The services.</summary>
    public IServiceCollection Services { get; }

    internal HashSet<string> CodeStores { get; } = new(StringComparer.OrdinalIgnoreCase);

    internal List<Action<MlToolkitOptions>> Configure { get; } = [];

    /// <summary>Adds a store made in code (any <see cref="IArtifactStore"/>), resolved as a keyed <see cref="IArtifactStore"/>.</summary>
    /// <param name="name">The name.</param>
    /// <param name="create">Creates it once.</param>
    /// <returns>This builder.</returns>
    public MlToolkitBuilder AddStore(string name, Func<IServiceProvider, IArtifactStore> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        CodeStores.Add(name);
        Services.AddKeyedSingleton(name, (sp, _) => create(sp));
        return this;
    }

    /// <summary>Adds a local folder store.</summary>
    /// <param name="name">The name.</param>
    /// <param name="path">The folder.</param>
    /// <returns>This builder.</returns>
    public MlToolkitBuilder AddLocalStore(string name, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Configure.Add(o => o.Stores[name] = new StoreOptions { Path = path });
        MlToolkitServiceCollectionExtensions.RegisterStore(Services, name);
        return this;
    }

    /// <summary>
    /// Adds a kind of store that configuration can name in <c>MlToolkit:Stores:{name}:Kind</c>. Packages call it from their
    /// own verbs (<c>ml.AddAzureBlobStores()</c>, <c>ml.AddS3Stores()</c>); adding a kind of the same type twice adds it once.
    /// </summary>
    /// <param name="kind">The kind.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The kind is named <c>Local</c>, which is built in.</exception>
    public MlToolkitBuilder AddStoreKind(ArtifactStoreKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (string.Equals(kind.Name, StoreOptions.LocalKind, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The store kind '{kind.Name}' is built in (local folders); give the kind another name.", nameof(kind));
        }

        Services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(ArtifactStoreKind), kind));
        return this;
    }

    /// <summary>Adds a model registry in a store, resolved as a keyed <see cref="ModelRegistry"/>.</summary>
    /// <param name="name">The name (also the registry's name in the store).</param>
    /// <param name="store">The store's name.</param>
    /// <param name="configure">Sets how the registry treats its store, or <see langword="null"/> for the defaults.</param>
    /// <returns>This builder.</returns>
    public MlToolkitBuilder AddRegistry(string name, string store, Action<ModelRegistryOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Configure.Add(o =>
        {
            var registry = new RegistryOptions { Store = store };
            configure?.Invoke(registry.Options);
            o.Registries[name] = registry;
        });
        MlToolkitServiceCollectionExtensions.RegisterRegistry(Services, name);
        return this;
    }

    /// <summary>
    /// Adds a named pipeline, resolved as a keyed <see cref="TrainingPipeline"/>: each resolution builds it anew (so it sees
    /// the current services) and <c>Build()</c> checks it.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <param name="configure">Sets the pipeline up, with the services (stores, registries) at hand.</param>
    /// <param name="seed">The pipeline's seed.</param>
    /// <returns>This builder.</returns>
    public MlToolkitBuilder AddPipeline(string name, Action<IServiceProvider, PipelineBuilder> configure, int seed = 42)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        Services.AddKeyedTransient(name, (sp, _) =>
        {
            var builder = new PipelineBuilder(seed);
            configure(sp, builder);
            return builder.Build();
        });
        return this;
    }

    /// <summary>Adds a prediction service over a registry's alias, started with the host; resolved as a keyed <see cref="PredictionService"/>.</summary>
    /// <param name="name">The name.</param>
    /// <param name="registry">The registry's name.</param>
    /// <param name="configure">Sets the alias, reload interval and policies.</param>
    /// <returns>This builder.</returns>
    public MlToolkitBuilder AddPredictionService(string name, string registry, Action<PredictionServiceOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Configure.Add(o =>
        {
            var registration = new PredictionServiceRegistration { Registry = registry };
            configure?.Invoke(registration.Options);
            o.PredictionServices[name] = registration;
        });
        MlToolkitServiceCollectionExtensions.RegisterPredictionService(Services, name);
        return this;
    }
}
