using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Hosting;
using MlToolkit.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers MlToolkit's named stores, registries, pipelines and prediction services in a host.</summary>
public static partial class MlToolkitServiceCollectionExtensions
{
    /// <summary>
    /// Registers what the <paramref name="configuration"/> section (usually <c>MlToolkit</c>; see <see cref="MlToolkitOptions"/>)
    /// and <paramref name="configure"/> name, as keyed services: <see cref="IArtifactStore"/>, <see cref="ModelRegistry"/>,
    /// <see cref="MlToolkit.Pipeline.TrainingPipeline"/> and <see cref="PredictionService"/> (started with the host). The
    /// options are validated when the host starts; every problem is listed at once. Stores are local folders unless their
    /// <c>Kind</c> names another kind, which its package adds: <c>AzureBlob</c> with <c>ml.AddAzureBlobStores()</c>
    /// (<c>MlToolkit.Azure</c>), <c>S3</c> with <c>ml.AddS3Stores()</c> (<c>MlToolkit.Aws</c>), or your own with
    /// <see cref="MlToolkitBuilder.AddStoreKind"/>; a kind whose package was not added fails the start, naming the package.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration section, or <see langword="null"/> for code only.</param>
    /// <param name="configure">Adds stores, registries, pipelines and prediction services in code.</param>
    /// <returns>The services.</returns>
    /// <example>
    /// <code>
    /// builder.Services.AddMlToolkit(builder.Configuration.GetSection("MlToolkit"), ml => ml
    ///     .AddAzureBlobStores()                                    // MlToolkit.Azure: "Kind": "AzureBlob" stores
    ///     .AddPipeline("churn", (sp, p) => p.FromCsv("data/churn.csv").Label("Churned").Train(Trainers.Binary.LightGbm())
    ///         .PublishTo(sp.GetRequiredKeyedService&lt;ModelRegistry&gt;("churn"), promoteTo: "production")));
    /// // later: [FromKeyedServices("churn")] TrainingPipeline pipeline, [FromKeyedServices("churn")] PredictionService predictions
    /// </code>
    /// </example>
    public static IServiceCollection AddMlToolkit(this IServiceCollection services, IConfiguration? configuration = null, Action<MlToolkitBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new MlToolkitBuilder(services);
        configure?.Invoke(builder);
        OptionsBuilder<MlToolkitOptions> options = services.AddOptions<MlToolkitOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration);
            IConfigurationSection stores = configuration.GetSection("Stores");
            options.Configure(o =>
            {
                // Kinds other than Local read their own settings from the store's section.
                foreach (IConfigurationSection store in stores.GetChildren())
                {
                    if (o.Stores.TryGetValue(store.Key, out StoreOptions? bound))
                    {
                        bound.Settings = store;
                    }
                }
            });
            foreach (IConfigurationSection store in stores.GetChildren())
            {
                RegisterStore(services, store.Key);
            }

            foreach (IConfigurationSection registry in configuration.GetSection("Registries").GetChildren())
            {
                RegisterRegistry(services, registry.Key);
            }

            foreach (IConfigurationSection prediction in configuration.GetSection("PredictionServices").GetChildren())
            {
                RegisterPredictionService(services, prediction.Key);
            }
        }

        foreach (Action<MlToolkitOptions> step in builder.Configure)
        {
            options.Configure(step);
        }

        HashSet<string> codeStores = builder.CodeStores;
        services.AddSingleton<IValidateOptions<MlToolkitOptions>>(sp => new Validator(codeStores, sp.GetServices<ArtifactStoreKind>()));
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PredictionServicesStarter>());
        return services;
    }

    internal static void RegisterStore(IServiceCollection services, string name)
    {
        if (!services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, name) && d.ServiceType == typeof(IArtifactStore)))
        {
            services.AddKeyedSingleton<IArtifactStore>(name, (sp, _) =>
            {
                // Reading the options validates them: a kind whose package was not added fails here as it does at start.
                StoreOptions store = sp.GetRequiredService<IOptions<MlToolkitOptions>>().Value.Stores[name];
                if (store.IsLocal)
                {
                    return new LocalArtifactStore(store.Path!);
                }

                ArtifactStoreKind kind = FindKind(sp.GetServices<ArtifactStoreKind>(), store.Kind)
                    ?? throw new InvalidOperationException($"MlToolkit:Stores:{name}: no store kind '{store.Kind}' was added.");
                return kind.Create(store.Settings ?? EmptyConfiguration, sp);
            });
        }
    }

    internal static void RegisterRegistry(IServiceCollection services, string name)
    {
        if (!services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, name) && d.ServiceType == typeof(ModelRegistry)))
        {
            services.AddKeyedSingleton(name, (sp, _) =>
            {
                RegistryOptions registry = sp.GetRequiredService<IOptions<MlToolkitOptions>>().Value.Registries[name];
                return new ModelRegistry(sp.GetRequiredKeyedService<IArtifactStore>(registry.Store), registry.Name ?? name, registry.Options, sp.GetService<TimeProvider>());
            });
        }
    }

    internal static void RegisterPredictionService(IServiceCollection services, string name)
    {
        if (!services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, name) && d.ServiceType == typeof(PredictionService)))
        {
            services.AddKeyedSingleton(name, (sp, _) =>
            {
                PredictionServiceRegistration registration = sp.GetRequiredService<IOptions<MlToolkitOptions>>().Value.PredictionServices[name];
                return new PredictionService(sp.GetRequiredKeyedService<ModelRegistry>(registration.Registry), registration.Options, sp.GetService<ILoggerFactory>()?.CreateLogger<PredictionService>());
            });
        }
    }

    /// <summary>The kinds of store that MlToolkit's own packages add, and how, for messages when one was not added.</summary>
    private static readonly (string Kind, string Package, string Method)[] PackageKinds =
    [
        ("AzureBlob", "MlToolkit.Azure", "AddAzureBlobStores"),
        ("S3", "MlToolkit.Aws", "AddS3Stores"),
    ];

    private static readonly IConfiguration EmptyConfiguration = new ConfigurationBuilder().Build();

    private static ArtifactStoreKind? FindKind(IEnumerable<ArtifactStoreKind> kinds, string name)
        => kinds.LastOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex NamePattern();

    /// <summary>Checks names, paths, store settings and references between stores, registries and prediction services.</summary>
    private sealed class Validator(HashSet<string> codeStores, IEnumerable<ArtifactStoreKind> kinds) : IValidateOptions<MlToolkitOptions>
    {
        public ValidateOptionsResult Validate(string? name, MlToolkitOptions options)
        {
            var problems = new List<string>();
            List<ArtifactStoreKind> added = [.. kinds];
            foreach ((string store, StoreOptions o) in options.Stores)
            {
                string path = $"MlToolkit:Stores:{store}";
                if (o.IsLocal)
                {
                    if (string.IsNullOrWhiteSpace(o.Path))
                    {
                        bool cloudSettings = o.Settings?.GetChildren().Any(c => c.Key is not (nameof(StoreOptions.Kind) or nameof(StoreOptions.Path))) == true;
                        problems.Add(cloudSettings
                            ? $"{path}: Path is missing (Kind is {StoreOptions.LocalKind}, the default; for another kind of store set Kind, such as {string.Join(" or ", PackageKinds.Select(k => k.Kind))})."
                            : $"{path}: Path is missing.");
                    }

                    continue;
                }

                ArtifactStoreKind? kind = FindKind(added, o.Kind);
                if (kind is not null)
                {
                    problems.AddRange(kind.Validate(o.Settings ?? EmptyConfiguration).Select(p => $"{path}: {p}"));
                }
                else if (PackageKinds.FirstOrDefault(k => string.Equals(k.Kind, o.Kind, StringComparison.OrdinalIgnoreCase)) is { Package: not null } known)
                {
                    problems.Add($"{path}: Kind '{o.Kind}' is made by the {known.Package} package, which was not added: reference {known.Package} and call ml.{known.Method}() in AddMlToolkit(configuration, ml => ml.{known.Method}()).");
                }
                else
                {
                    IEnumerable<string> choices = new[] { StoreOptions.LocalKind }
                        .Concat(added.Select(k => k.Name))
                        .Concat(PackageKinds.Where(k => FindKind(added, k.Kind) is null).Select(k => $"{k.Kind} (package {k.Package}, ml.{k.Method}())"))
                        .Distinct(StringComparer.OrdinalIgnoreCase);
                    problems.Add($"{path}: Kind '{o.Kind}' is not a kind of store (kinds: {string.Join(", ", choices)}).");
                }
            }

            foreach ((string registry, RegistryOptions o) in options.Registries)
            {
                if (!options.Stores.ContainsKey(o.Store) && !codeStores.Contains(o.Store))
                {
                    problems.Add($"MlToolkit:Registries:{registry}: Store '{o.Store}' is not defined (stores: {string.Join(", ", options.Stores.Keys.Concat(codeStores).DefaultIfEmpty("none"))}).");
                }

                if (!NamePattern().IsMatch(o.Name ?? registry))
                {
                    problems.Add($"MlToolkit:Registries:{registry}: the registry name '{o.Name ?? registry}' may hold only letters, digits, '.', '_' and '-'.");
                }
            }

            foreach ((string service, PredictionServiceRegistration o) in options.PredictionServices)
            {
                if (!options.Registries.ContainsKey(o.Registry))
                {
                    problems.Add($"MlToolkit:PredictionServices:{service}: Registry '{o.Registry}' is not defined (registries: {string.Join(", ", options.Registries.Keys.DefaultIfEmpty("none"))}).");
                }

                if (string.IsNullOrWhiteSpace(o.Options.Alias))
                {
                    problems.Add($"MlToolkit:PredictionServices:{service}: Options:Alias is empty.");
                }

                if (o.Options.ReloadInterval < TimeSpan.Zero)
                {
                    problems.Add($"MlToolkit:PredictionServices:{service}: Options:ReloadInterval is negative.");
                }

                if (o.Options.MaxBatchSize < 1)
                {
                    problems.Add($"MlToolkit:PredictionServices:{service}: Options:MaxBatchSize must be at least 1.");
                }
            }

            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }

    /// <summary>Starts every registered prediction service with the host (loading its alias's version) and stops them after.</summary>
    private sealed class PredictionServicesStarter(IServiceProvider services, IOptions<MlToolkitOptions> options) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (string name in options.Value.PredictionServices.Keys)
            {
                await services.GetRequiredKeyedService<PredictionService>(name).StartAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
