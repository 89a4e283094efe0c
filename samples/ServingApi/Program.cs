using MlToolkit.Storage;
using ServingApi;

// dotnet run --project samples/ServingApi -- --urls http://127.0.0.1:5080 [--registry ./artifacts] [--model quickstart] [--alias production]
// Serves the model the QuickStart published (run `dotnet run --project samples/QuickStart` first), following its alias.
WebApplication app = ServingApp.Create(args);
app.Run();

namespace ServingApi
{
    /// <summary>The sample's application, also started by the tests on a loopback port.</summary>
    public static class ServingApp
    {
        /// <summary>Builds the application from the command line (<c>--urls</c>, <c>--registry</c>, <c>--model</c>, <c>--alias</c>).</summary>
        /// <param name="args">The arguments.</param>
        /// <returns>The application, not started.</returns>
        public static WebApplication Create(string[] args)
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
            // ASP.NET Core's own request lines (four per request at Information) and the readiness probe's warning while the
            // model is still loading (the serving log already says it waits for the alias) are left out of the console.
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Error);
            // <serving>
            string registry = Path.GetFullPath(builder.Configuration["registry"] ?? "artifacts");
            string model = builder.Configuration["model"] ?? "quickstart";
            builder.Services.AddMlToolkitServing(serving => serving
                .AddModel(model, new LocalArtifactStore(registry), o =>
                {
                    o.Alias = builder.Configuration["alias"] ?? "production"; // followed: a promotion is served within ReloadInterval
                    o.ReloadInterval = TimeSpan.FromSeconds(2);
                }));

            WebApplication app = builder.Build();
            app.MapPredictionEndpoints(); // POST /models/{name}/predict, GET /models/{name}, GET /models/openapi.json, /health/live, /health/ready
            // </serving>
            app.Logger.LogInformation("Serving '{Model}' from {Registry}", model, registry);
            return app;
        }
    }
}
