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
    /// options are validated when the host starts; every problem is listed at once.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration section, or <see langword="null"/> for code only.</param>
    /// <param name="configure">Adds stores, registries, pipelines and prediction services in code.</param>
    /// <returns>The services.</returns>
    /// <example>
    /// <code>
    /// builder.Services.AddMlToolkit(builder.Configuration.GetSection("MlToolkit"), ml => ml
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
            foreach (IConfigurationSection store in configuration.GetSection("Stores").GetChildren())
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
        services.AddSingleton<IValidateOptions<MlToolkitOptions>>(new Validator(codeStores));
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PredictionServicesStarter>());
        return services;
    }

    internal static void RegisterStore(IServiceCollection services, string name)
    {
        if (!services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, name) && d.ServiceType == typeof(IArtifactStore)))
        {
            services.AddKeyedSingleton<IArtifactStore>(name, (sp, _) => new LocalArtifactStore(sp.GetRequiredService<IOptions<MlToolkitOptions>>().Value.Stores[name].Path!));
        }
    }

    internal static void RegisterRegistry(IServiceCollection services, string name)
    {
        if (!services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, name) && d.ServiceType == typeof(ModelRegistry)))
        {
            services.AddKeyedSingleton(name, (sp, _) =>
            {
                RegistryOptions registry = sp.GetRequiredService<IOptions<MlToolkitOptions>>().Value.Registries[name];
                return new ModelRegistry(sp.GetRequiredKeyedService<IArtifactStore>(registry.Store), registry.Name ?? name, sp.GetService<TimeProvider>());
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

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex NamePattern();

    /// <summary>Checks names, paths and references between stores, registries and prediction services.</summary>
    private sealed class Validator(HashSet<string> codeStores) : IValidateOptions<MlToolkitOptions>
    {
        public ValidateOptionsResult Validate(string? name, MlToolkitOptions options)
        {
            var problems = new List<string>();
            foreach ((string store, StoreOptions o) in options.Stores)
            {
                if (string.IsNullOrWhiteSpace(o.Path))
                {
                    problems.Add($"MlToolkit:Stores:{store}: Path is missing.");
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
