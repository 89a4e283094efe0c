using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Storage;
using QuickStart;
using ServingApi;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Samples;

/// <summary>The ServingApi sample serving what the QuickStart published, answering the README's curl call.</summary>
public class ServingApiTests
{
    /// <summary>The body of the README's curl call (a test below checks that the README still sends it).</summary>
    private const string ReadmeBody = """{"Tenure":3,"MonthlyCharges":95.5,"Plan":"Premium","Region":"South","SupportCalls":4,"HasPartner":false}""";

    [Fact]
    public async Task Create_QuickStartRegistry_AnswersTheReadmeCallAsTheInProcessService()
    {
        using TempFolder folder = TestData.TempFolder();
        string artifacts = Path.Combine(folder.Path, "artifacts");
        string csv = Path.Combine(artifacts, "data", "churn.csv");
        ChurnData.Write(csv);
        await QuickStartPipeline.RunAsync(csv, artifacts, cancellationToken: Ct);

        WebApplication app = ServingApp.Create(["--urls", "http://127.0.0.1:0", "--registry", artifacts, "--Logging:LogLevel:Default", "Warning"]);
        await app.StartAsync(Ct);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
            for (int i = 0; i < 300 && !(await client.GetAsync("/health/ready", Ct)).IsSuccessStatusCode; i++)
            {
                await Task.Delay(50, Ct);
            }

            HttpResponseMessage response = await client.PostAsync("/models/quickstart/predict", new StringContent(ReadmeBody, Encoding.UTF8, "application/json"), Ct);
            JsonElement json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
            await using var service = new PredictionService(new ModelRegistry(new LocalArtifactStore(artifacts), "quickstart"), new PredictionServiceOptions { ReloadInterval = TimeSpan.Zero });
            await service.StartAsync(Ct);
            using JsonDocument body = JsonDocument.Parse(ReadmeBody);
            Prediction expected = service.Predict(body.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("1", response.Headers.GetValues("X-Model-Version").Single());
            Assert.Equal(expected.PredictedLabel, json.GetProperty("predictedLabel").GetString());
            Assert.Equal(expected.Probability!.Value, json.GetProperty("probability").GetSingle());
            Assert.Equal(1, json.GetProperty("version").GetInt32());
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    [Fact]
    public void Readme_CurlCall_SendsTheBodyThisTestChecks()
    {
        string root = RepositoryPaths.Root();
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));

        Assert.Contains($"-d '{ReadmeBody}'", readme, StringComparison.Ordinal);
        Assert.Contains("curl -s -i -X POST http://127.0.0.1:5080/models/quickstart/predict", readme, StringComparison.Ordinal);
    }
}
