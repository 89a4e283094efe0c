using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MlToolkit.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps MlToolkit's prediction endpoints.</summary>
public static class PredictionEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/> (<c>/models</c>):
    /// <list type="bullet">
    /// <item><c>POST {prefix}/{name}/predict</c>: a JSON object is one row, a JSON array a batch; the answer names the version in a header.</item>
    /// <item><c>GET {prefix}/{name}</c>: the manifest of the served version, the alias and the reload count.</item>
    /// <item><c>GET {prefix}</c>: every model and the version it serves.</item>
    /// <item><c>GET {prefix}/openapi.json</c>: an OpenAPI 3.0 description with each model's input schema.</item>
    /// </list>
    /// and, unless <paramref name="healthPrefix"/> is <see langword="null"/>, <c>{healthPrefix}/live</c> (the process answers)
    /// and <c>{healthPrefix}/ready</c> (every model is loaded; 503 until then).
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="prefix">The route prefix of the models.</param>
    /// <param name="healthPrefix">The route prefix of liveness and readiness, or <see langword="null"/> to map them yourself.</param>
    /// <returns>The group of model endpoints, to add authorization or rate limiting to.</returns>
    public static RouteGroupBuilder MapPredictionEndpoints(this IEndpointRouteBuilder endpoints, string prefix = "/models", string? healthPrefix = "/health")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        _ = endpoints.ServiceProvider.GetService<ModelServing>()
            ?? throw new InvalidOperationException("Call services.AddMlToolkitServing(...) before app.MapPredictionEndpoints().");

        RouteGroupBuilder group = endpoints.MapGroup(prefix);
        group.MapPost("/{name}/predict", PredictionEndpoint.PredictAsync).WithName("MlToolkitPredict").DisableAntiforgery();
        group.MapGet("/openapi.json", OpenApiDescription.WriteAsync).WithName("MlToolkitOpenApi");
        group.MapGet("/{name}", PredictionEndpoint.DescribeAsync).WithName("MlToolkitModel");
        group.MapGet("/", PredictionEndpoint.ListAsync).WithName("MlToolkitModels");

        if (healthPrefix is not null)
        {
            endpoints.MapHealthChecks(healthPrefix.TrimEnd('/') + "/live", new HealthCheckOptions { Predicate = _ => false });
            // A model that is still loading (or whose alias is not set yet) is Degraded, which readiness answers with 503 as
            // for Unhealthy: ASP.NET logs a Degraded check as a warning, not as an error on every probe during start-up.
            endpoints.MapHealthChecks(healthPrefix.TrimEnd('/') + "/ready", new HealthCheckOptions
            {
                Predicate = c => c.Tags.Contains(ServingServiceCollectionExtensions.ReadyTag),
                ResultStatusCodes =
                {
                    [HealthStatus.Healthy] = StatusCodes.Status200OK,
                    [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                    [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
                },
            });
        }

        return group;
    }
}
