using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Storage;
using MlToolkit.Tests.Deployment.Prediction;
using static MlToolkit.Tests.Deployment.Prediction.PredictionTestKit;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.AspNetCore;

/// <summary>Hot reload through HTTP: alias flips under load, readiness while a model is missing, the ServingApi sample.</summary>
[Collection(PredictionStressCollection.Name)]
public class HotReloadEndpointTests(ChurnModelsFixture models)
{
    private const string Row = """{"x1":4.5,"x2":2.0,"color":"red","flag":true}""";

    [Fact]
    public async Task Predict_HundredAliasFlipsUnderLoad_NoFailedRequestAndEachVersionWasLive()
    {
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, LocalArtifactStore store) = await RegistryAsync(folder, models.ContextA, models.ContextB, models.ContextC);
        await using ServingServer server = await ServingServer.StartAsync(o => o.AddModel(Name, store, s => s.ReloadInterval = TimeSpan.FromMilliseconds(20)));
        server.Serving.TryGet(Name, out PredictionService? service);

        // Version v is live from when its flip starts until the next version is seen serving (or the end).
        TimeProvider clock = TimeProvider.System;
        var live = new List<(int Version, long From, long Until)>();
        long start = clock.GetTimestamp();
        int current = 1;
        var responses = new ConcurrentBag<(long Sent, long Received, HttpStatusCode Status, int Version)>();
        using var stop = new CancellationTokenSource();
        async Task ClientAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                long sent = clock.GetTimestamp();
                HttpResponseMessage response = await server.PostAsync(Name, Row);
                long received = clock.GetTimestamp();
                responses.Add((sent, received, response.StatusCode, response.IsSuccessStatusCode ? ServingServer.Version(response) : -1));
            }
        }

        Task[] clients = [ClientAsync(), ClientAsync()];
        long from = start;
        for (int flip = 0; flip < 100; flip++)
        {
            int next = (current % 3) + 1;
            long flipStarted = clock.GetTimestamp();
            await registry.SetAliasAsync("production", next, cancellationToken: Ct);
            await server.WaitUntilAsync(() => Task.FromResult(service!.Version == next));
            long seen = clock.GetTimestamp();
            live.Add((current, from, seen));
            from = flipStarted;
            current = next;
            await Task.Delay(15, Ct); // let requests land on this version
        }

        await stop.CancelAsync();
        await Task.WhenAll(clients);
        live.Add((current, from, long.MaxValue));

        TestContext.Current.TestOutputHelper?.WriteLine($"{responses.Count} requests during 100 flips");
        Assert.True(responses.Count >= 200, $"only {responses.Count} requests");
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.All(responses, r => Assert.True(
            live.Any(l => l.Version == r.Version && l.From <= r.Received && l.Until >= r.Sent),
            $"version {r.Version} answered a request sent at {r.Sent} and answered at {r.Received}, when it was not live"));
        Assert.Equal([1, 2, 3], responses.Select(r => r.Version).Distinct().Order());
        Assert.Equal(100, service!.Reloads);
    }

    [Fact]
    public async Task Ready_ModelWithoutAlias_503UntilPromotedThenServes()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        var registry = new ModelRegistry(store, Name);
        await registry.PublishAsync(models.ContextA, Ct); // version 1, but no alias yet
        var logs = new MlToolkit.Tests.Hostile.LogCapture();
        await using ServingServer server = await ServingServer.StartAsync(
            o =>
            {
                o.StartRetryInterval = TimeSpan.FromMilliseconds(50);
                o.AddModel(Name, store, s => s.ReloadInterval = TimeSpan.FromMilliseconds(50));
            },
            waitUntilReady: false,
            host: b => b.Logging.AddProvider(logs));

        HttpResponseMessage liveBefore = await server.Client.GetAsync("/health/live", Ct);
        HttpResponseMessage readyBefore = await server.Client.GetAsync("/health/ready", Ct);
        HttpResponseMessage predictBefore = await server.PostAsync(Name, Row);
        await registry.SetAliasAsync("production", 1, cancellationToken: Ct);
        await server.WaitUntilAsync(async () => (await server.Client.GetAsync("/health/ready", Ct)).IsSuccessStatusCode);
        HttpResponseMessage predictAfter = await server.PostAsync(Name, Row);

        Assert.Equal(HttpStatusCode.OK, liveBefore.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyBefore.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, predictBefore.StatusCode);
        Assert.True(predictBefore.Headers.RetryAfter is not null);
        Assert.Equal(HttpStatusCode.OK, predictAfter.StatusCode);
        Assert.Equal(1, ServingServer.Version(predictAfter));
        // Waiting for a model is not an error: readiness is Degraded (503), which ASP.NET logs as a warning, never an error.
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Degraded", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
    }
}
