using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlToolkit.AspNetCore;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.AspNetCore;

/// <summary>A real Kestrel server on a free loopback port serving MlToolkit models, and a client for it.</summary>
internal sealed class ServingServer : IAsyncDisposable
{
    private ServingServer(WebApplication app, HttpClient client)
    {
        App = app;
        Client = client;
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public ModelServing Serving => App.Services.GetRequiredService<ModelServing>();

    /// <summary>Starts a server; <paramref name="host"/> may add log providers or set Kestrel's limits.</summary>
    public static async Task<ServingServer> StartAsync(Action<MlToolkitServingOptions> configure, bool waitUntilReady = true, Action<WebApplicationBuilder>? host = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        host?.Invoke(builder);
        builder.Services.AddMlToolkitServing(configure);
        WebApplication app = builder.Build();
        app.MapPredictionEndpoints();
        await app.StartAsync(Ct);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var server = new ServingServer(app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) });
        if (waitUntilReady)
        {
            await server.WaitUntilAsync(async () => (await server.Client.GetAsync("/health/ready", Ct)).IsSuccessStatusCode);
        }

        return server;
    }

    public async Task WaitUntilAsync(Func<Task<bool>> condition, int seconds = 30)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        while (!await condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    public Task<HttpResponseMessage> PostAsync(string model, string json, string contentType = "application/json")
        => Client.PostAsync($"/models/{model}/predict", new StringContent(json, Encoding.UTF8, contentType), Ct);

    public Task<HttpResponseMessage> PostAsync(string model, object body) => Client.PostAsJsonAsync($"/models/{model}/predict", body, Ct);

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using JsonDocument document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        return document.RootElement.Clone();
    }

    public static int Version(HttpResponseMessage response) => int.Parse(response.Headers.GetValues("X-Model-Version").Single(), System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }
}
