using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MlToolkit.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers MlToolkit's model serving.</summary>
public static class ServingServiceCollectionExtensions
{
    /// <summary>The health-check tag of the readiness check (every model loaded).</summary>
    public const string ReadyTag = "mltoolkit-ready";

    /// <summary>
    /// Serves the models <paramref name="configure"/> adds: <see cref="ModelServing"/> (a singleton that loads them when the
    /// host starts and follows their aliases), the readiness health check, metrics and traces (<see cref="ServingTelemetry"/>)
    /// and problem details. Map the endpoints with <c>app.MapPredictionEndpoints()</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adds the models and sets the limits.</param>
    /// <returns>The services.</returns>
    /// <example>
    /// <code>
    /// builder.Services.AddMlToolkitServing(o => o.AddModel("churn", new LocalArtifactStore("artifacts")));
    /// app.MapPredictionEndpoints();
    /// </code>
    /// </example>
    public static IServiceCollection AddMlToolkitServing(this IServiceCollection services, Action<MlToolkitServingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<MlToolkitServingOptions>()
            .Configure(configure)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MlToolkitServingOptions>, ServingOptionsValidator>());
        services.TryAddSingleton<ModelServing>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelServing>());
        services.AddMetrics();
        services.TryAddSingleton<ServingTelemetry>();
        services.AddProblemDetails();
        services.AddHealthChecks().AddCheck<ModelsLoadedHealthCheck>("mltoolkit-models", HealthStatus.Unhealthy, [ReadyTag]);
        return services;
    }
}
