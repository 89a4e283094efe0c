using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Hosting;

public class AddMlToolkitTests
{
    private static HostApplicationBuilder Builder(Dictionary<string, string?> settings)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    [Fact]
    public async Task AddMlToolkit_ConfigurationAndCode_TrainsPublishesAndServesByName()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(600));
        HostApplicationBuilder builder = Builder(new()
        {
            ["MlToolkit:Stores:local:Path"] = Path.Combine(folder.Path, "artifacts"),
            ["MlToolkit:Registries:churn:Store"] = "local",
            ["MlToolkit:PredictionServices:churn:Registry"] = "churn",
            ["MlToolkit:PredictionServices:churn:Options:ReloadInterval"] = "00:00:00",
            ["MlToolkit:PredictionServices:churn:Options:UnseenCategories"] = "Reject",
        });
        builder.Services.AddMlToolkit(builder.Configuration.GetSection("MlToolkit"), ml => ml
            .AddPipeline("churn", (sp, p) => p
                .FromCsv(csv)
                .Label("label")
                .Train(Trainers.Binary.LightGbm(numberOfIterations: 20))
                .PublishTo(sp.GetRequiredKeyedService<ModelRegistry>("churn"), forcePromotion: true)));

        // Train and publish before the host starts its prediction services (which need a promoted version).
        using (ServiceProvider training = builder.Services.BuildServiceProvider())
        {
            TrainingPipeline pipeline = training.GetRequiredKeyedService<TrainingPipeline>("churn");
            PipelineResult result = await pipeline.RunAsync(cancellationToken: Ct);
            Assert.Equal("production", result.Deployments[0].PromotedTo);
        }

        using IHost host = builder.Build();
        await host.StartAsync(Ct);
        PredictionService predictions = host.Services.GetRequiredKeyedService<PredictionService>("churn");
        IArtifactStore store = host.Services.GetRequiredKeyedService<IArtifactStore>("local");

        Assert.Equal(1, predictions.Version);
        Assert.Equal(UnseenCategoryPolicy.Reject, predictions.Options.UnseenCategories);
        Assert.Same(host.Services.GetRequiredKeyedService<ModelRegistry>("churn"), predictions.Registry);
        Assert.IsType<LocalArtifactStore>(store);
        Assert.Contains(predictions.Predict(new Dictionary<string, object?> { ["x1"] = 9.0, ["x2"] = 1.0, ["color"] = "blue", ["flag"] = false }).PredictedLabel, (string[])["yes", "no"]);
        Assert.Throws<PredictionInputException>(() => predictions.Predict(new Dictionary<string, object?> { ["x1"] = 9.0, ["x2"] = 1.0, ["color"] = "purple", ["flag"] = false }));
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task StartAsync_BrokenConfiguration_OneExceptionListingEveryProblem()
    {
        HostApplicationBuilder builder = Builder(new()
        {
            ["MlToolkit:Stores:local:Path"] = "",
            ["MlToolkit:Registries:churn:Store"] = "blob",
            ["MlToolkit:PredictionServices:churn:Registry"] = "churm",
            ["MlToolkit:PredictionServices:churn:Options:MaxBatchSize"] = "0",
        });
        builder.Services.AddMlToolkit(builder.Configuration.GetSection("MlToolkit"));
        using IHost host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("MlToolkit:Stores:local: Path is missing.", ex.Failures);
        Assert.Contains("MlToolkit:Registries:churn: Store 'blob' is not defined (stores: local).", ex.Failures);
        Assert.Contains("MlToolkit:PredictionServices:churn: Registry 'churm' is not defined (registries: churn).", ex.Failures);
        Assert.Contains("MlToolkit:PredictionServices:churn: Options:MaxBatchSize must be at least 1.", ex.Failures);
    }

    [Fact]
    public void AddMlToolkit_StoreMadeInCode_RegistryMayUseIt()
    {
        var services = new ServiceCollection();
        var memory = new LocalArtifactStore(Path.Combine(Path.GetTempPath(), "mltk-di-" + Guid.NewGuid().ToString("N")));
        services.AddMlToolkit(configure: ml => ml.AddStore("mine", _ => memory).AddRegistry("models", "mine"));
        using ServiceProvider provider = services.BuildServiceProvider();

        ModelRegistry registry = provider.GetRequiredKeyedService<ModelRegistry>("models");
        ValidateOptionsResult validation = provider.GetRequiredService<IEnumerable<IValidateOptions<global::MlToolkit.Hosting.MlToolkitOptions>>>().First().Validate(null, provider.GetRequiredService<IOptions<global::MlToolkit.Hosting.MlToolkitOptions>>().Value);

        Assert.Equal("models", registry.Name);
        Assert.Same(memory, provider.GetRequiredKeyedService<IArtifactStore>("mine"));
        Assert.True(validation.Succeeded, validation.FailureMessage);
    }
}
