using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Deployment.Registry;
using MlToolkit.Storage;
using QuickStart;

// dotnet run -c Release --project benchmarks/ServingLoad [-- --duration 10 --connections 8 --rounds 3]
// A bounded load run on loopback with wrk (apt-get install wrk): single-row predictions of the QuickStart model, through
// MlToolkit.AspNetCore and through a minimal ASP.NET Core endpoint over a pooled PredictionEngine, alternately, same process.
int duration = Option("--duration", 10), connections = Option("--connections", 8), rounds = Option("--rounds", 3);
string wrk = new[] { "/usr/bin/wrk", "/usr/local/bin/wrk" }.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("wrk is not installed: apt-get install -y wrk");
const string Body = """{"Tenure":3,"MonthlyCharges":95.5,"Plan":"Premium","Region":"South","SupportCalls":4,"HasPartner":false}""";

string folder = Path.Combine(Path.GetTempPath(), "mltk-serving-load-" + Guid.NewGuid().ToString("N")[..8]);
string csv = Path.Combine(folder, "data", "churn.csv");
ChurnData.Write(csv);
await QuickStartPipeline.RunAsync(csv, folder);
var store = new LocalArtifactStore(folder);

// Ours: the package as a host uses it.
WebApplicationBuilder ours = WebApplication.CreateSlimBuilder();
ours.WebHost.UseUrls("http://127.0.0.1:0");
ours.Logging.ClearProviders();
ours.Services.AddMlToolkitServing(o => o.AddModel("quickstart", store));
WebApplication oursApp = ours.Build();
oursApp.MapPredictionEndpoints();

// Baseline: a minimal endpoint, typed input bound by ASP.NET Core, a pooled PredictionEngine, no checks beyond binding.
LoadedModel model = await new ModelRegistry(store, "quickstart").LoadAsync("production");
WebApplicationBuilder raw = WebApplication.CreateSlimBuilder();
raw.WebHost.UseUrls("http://127.0.0.1:0");
raw.Logging.ClearProviders();
ObjectPool<PredictionEngine<ChurnInput, ChurnScore>> pool = new DefaultObjectPoolProvider { MaximumRetained = Environment.ProcessorCount * 4 }
    .Create(new EnginePolicy(model.MLContext, model.Transformer, model.InputSchema));
IReadOnlyList<string> classes = model.Manifest.Classes;
WebApplication rawApp = raw.Build();
rawApp.MapPost("/predict", (ChurnInput input) =>
{
    PredictionEngine<ChurnInput, ChurnScore> engine = pool.Get();
    try
    {
        ChurnScore s = engine.Predict(input);
        return Results.Json(new RawAnswer(1, classes[s.PredictedLabel ? 1 : 0], s.Score, s.Probability));
    }
    finally
    {
        pool.Return(engine);
    }
});

await oursApp.StartAsync();
await rawApp.StartAsync();
string oursUrl = Address(oursApp) + "/models/quickstart/predict", rawUrl = Address(rawApp) + "/predict";
using (var client = new HttpClient())
{
    for (int i = 0; i < 200 && !(await client.GetAsync(Address(oursApp) + "/health/ready")).IsSuccessStatusCode; i++)
    {
        await Task.Delay(50);
    }

    foreach (string url in new[] { oursUrl, rawUrl })
    {
        HttpResponseMessage check = await client.PostAsync(url, new StringContent(Body, System.Text.Encoding.UTF8, "application/json"));
        Console.WriteLine($"{url} -> {(int)check.StatusCode} {await check.Content.ReadAsStringAsync()}");
        check.EnsureSuccessStatusCode();
    }
}

string script = Path.Combine(folder, "post.lua");
File.WriteAllText(script, "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = '" + Body + "'\n");
Run(oursUrl, Math.Max(3, duration / 2));
Run(rawUrl, Math.Max(3, duration / 2)); // warm-up of both (tiered JIT), not counted

var results = new Dictionary<string, List<(double Rps, double P50, double P99)>> { ["MlToolkit.AspNetCore"] = [], ["PredictionEngine pool"] = [] };
for (int round = 0; round < rounds; round++)
{
    results["MlToolkit.AspNetCore"].Add(Run(oursUrl, duration));
    results["PredictionEngine pool"].Add(Run(rawUrl, duration));
}

double baseRps = Median(results["PredictionEngine pool"].Select(r => r.Rps));
Console.WriteLine();
Console.WriteLine($"wrk -t1 -c{connections} -d{duration}s, {rounds} alternating rounds (medians), {Environment.ProcessorCount} cores, single-row POST");
Console.WriteLine();
Console.WriteLine("| server | requests/s | p50 latency | p99 latency | throughput ratio |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
foreach ((string name, List<(double Rps, double P50, double P99)> runs) in results)
{
    double rps = Median(runs.Select(r => r.Rps));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {rps:N0} | {Median(runs.Select(r => r.P50)):F0} µs | {Median(runs.Select(r => r.P99)):F0} µs | {rps / baseRps:F2} |"));
}

await oursApp.StopAsync();
await rawApp.StopAsync();
Directory.Delete(folder, recursive: true);
return 0;

(double Rps, double P50, double P99) Run(string url, int seconds)
{
    var info = new ProcessStartInfo(wrk) { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (string a in (string[])["-t1", $"-c{connections}", $"-d{seconds}s", "--latency", "-s", script, url])
    {
        info.ArgumentList.Add(a);
    }

    using Process process = Process.Start(info)!;
    string output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (Regex.IsMatch(output, @"Non-2xx or 3xx responses") || process.ExitCode != 0)
    {
        throw new InvalidOperationException($"wrk saw failures against {url}:\n{output}");
    }

    double rps = double.Parse(Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
    return (rps, Micros(output, "50%"), Micros(output, "99%"));
}

static double Micros(string output, string percentile)
{
    Match m = Regex.Match(output, percentile + @"\s+([\d.]+)(us|ms|s)");
    double value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    return m.Groups[2].Value switch { "us" => value, "ms" => value * 1000, _ => value * 1_000_000 };
}

static double Median(IEnumerable<double> values)
{
    double[] sorted = [.. values.Order()];
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static string Address(WebApplication app) => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

int Option(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>The QuickStart model's inputs, typed as its schema (numbers are float32).</summary>
internal sealed class ChurnInput
{
    public float Tenure { get; set; }

    public float MonthlyCharges { get; set; }

    public string? Plan { get; set; }

    public string? Region { get; set; }

    public float SupportCalls { get; set; }

    public bool HasPartner { get; set; }
}

/// <summary>The binary model's outputs.</summary>
internal sealed class ChurnScore
{
    public bool PredictedLabel { get; set; }

    public float Score { get; set; }

    public float Probability { get; set; }
}

internal sealed record RawAnswer(int Version, string PredictedLabel, float Score, float Probability);

/// <summary>Creates prediction engines for the pool; an engine is not thread-safe, so each request borrows one.</summary>
internal sealed class EnginePolicy(MLContext ml, ITransformer transformer, DataViewSchema schema) : PooledObjectPolicy<PredictionEngine<ChurnInput, ChurnScore>>
{
    public override PredictionEngine<ChurnInput, ChurnScore> Create() => ml.Model.CreatePredictionEngine<ChurnInput, ChurnScore>(transformer, inputSchema: schema);

    public override bool Return(PredictionEngine<ChurnInput, ChurnScore> obj) => true;
}
