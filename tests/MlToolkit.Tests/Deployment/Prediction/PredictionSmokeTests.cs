using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;

namespace MlToolkit.Tests.Deployment.Prediction;

public class PredictionSmokeTests
{
    public sealed class Row
    {
        public float x1 { get; set; }

        public float x2 { get; set; }

        public string color { get; set; } = "";

        public bool flag { get; set; }
    }

    public sealed class Output
    {
        public bool PredictedLabel { get; set; }

        public float Probability { get; set; }
    }

    [Fact]
    public async Task Predict_UntypedAndTypedFromProduction_AgreeWithTheTrainedModel()
    {
        var ct = TestContext.Current.CancellationToken;
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 300));
        var registry = new ModelRegistry(new LocalArtifactStore(folder.Path), "churn");
        PipelineResult result = await new PipelineBuilder(seed: 5)
            .FromCsv(csv).Label("label")
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 20))
            .Validate(v => v.AtLeast(Metric.Auc, 0.5))
            .PublishTo(registry)
            .Build().RunAsync(cancellationToken: ct);
        Assert.Equal("production", result.Deployments[0].PromotedTo);

        await using var untyped = new PredictionService(registry, new PredictionServiceOptions { ReloadInterval = TimeSpan.Zero });
        await untyped.StartAsync(ct);
        MlToolkit.Deployment.Prediction.Prediction p = untyped.Predict(new Dictionary<string, object?> { ["x1"] = 9.5, ["x2"] = 1.0, ["color"] = "blue", ["flag"] = false });
        Assert.Equal(1, p.Version);
        Assert.Equal("yes", p.PredictedLabel);
        Assert.InRange(p.Probability!.Value, 0.5f, 1f);

        await using var typed = new PredictionService<Row, Output>(registry, new PredictionServiceOptions { ReloadInterval = TimeSpan.Zero });
        await typed.StartAsync(ct);
        (Output o, int version) = typed.Predict(new Row { x1 = 9.5f, x2 = 1f, color = "blue", flag = false });
        Assert.Equal(1, version);
        Assert.True(o.PredictedLabel);
        Assert.Equal(p.Probability!.Value, o.Probability, 5);

        var missing = Assert.Throws<PredictionInputException>(() => untyped.Predict(new Dictionary<string, object?> { ["x1"] = 1.0, ["color"] = "red", ["flag"] = true }));
        Assert.Equal("x2", missing.Field);
    }
}
