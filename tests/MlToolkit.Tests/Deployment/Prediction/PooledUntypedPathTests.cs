using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;

namespace MlToolkit.Tests.Deployment.Prediction;

public class PooledUntypedPathTests
{
    [Theory]
    [InlineData("binary")]
    [InlineData("multiclass")]
    [InlineData("regression")]
    public async Task Predict_EveryTask_UsesPooledEnginesAndEqualsTheBatchPath(string task)
    {
        var ct = TestContext.Current.CancellationToken;
        using TempFolder folder = TestData.TempFolder();
        (string csv, string label, ITrainer trainer) = task switch
        {
            "binary" => (TestData.BinaryCsv(rows: 300), "label", Trainers.Binary.LightGbm(numberOfIterations: 20)),
            "multiclass" => (TestData.MulticlassCsv(rows: 300), "species", Trainers.Multiclass.LightGbm(numberOfIterations: 20)),
            _ => (TestData.RegressionCsv(rows: 300), "y", Trainers.Regression.LightGbm(numberOfIterations: 20)),
        };
        string path = folder.Write("data.csv", csv);
        var registry = new ModelRegistry(new LocalArtifactStore(folder.Path), "m");
        await new PipelineBuilder(seed: 3).FromCsv(path).Label(label).Train(trainer).PublishTo(registry, forcePromotion: true).Build().RunAsync(cancellationToken: ct);
        await using var service = new PredictionService(registry, new PredictionServiceOptions { ReloadInterval = TimeSpan.Zero });
        await service.StartAsync(ct);
        Assert.True(service.UsesPooledEngines);

        var rng = new Random(9);
        var rows = Enumerable.Range(0, 50).Select(i => (IReadOnlyDictionary<string, object?>)(task switch
        {
            "binary" => new Dictionary<string, object?> { ["x1"] = rng.NextDouble() * 10, ["x2"] = i % 7 == 0 ? null : rng.NextDouble() * 5, ["color"] = i % 11 == 0 ? "purple" : new[] { "red", "green", "blue" }[i % 3], ["flag"] = i % 2 == 0 },
            "multiclass" => new Dictionary<string, object?> { ["a"] = rng.NextDouble(), ["b"] = rng.NextDouble(), ["c"] = rng.NextDouble(), ["shape"] = new[] { "round", "long", "flat" }[i % 3] },
            _ => new Dictionary<string, object?> { ["x1"] = i % 9 == 0 ? null : rng.NextDouble() * 10, ["x2"] = rng.NextDouble() * 10, ["cat"] = i % 2 == 0 ? "a" : "b" },
        })).ToList();

        IReadOnlyList<MlToolkit.Deployment.Prediction.Prediction> batch = service.PredictBatch(rows);
        for (int i = 0; i < rows.Count; i++)
        {
            MlToolkit.Deployment.Prediction.Prediction single = service.Predict(rows[i]);
            Assert.Equal(batch[i].PredictedLabel, single.PredictedLabel);
            Assert.Equal(batch[i].Score, single.Score);
            Assert.Equal(batch[i].Probability, single.Probability);
            Assert.Equal(batch[i].UnseenCategories, single.UnseenCategories);
            if (batch[i].ClassScores is { } scores)
            {
                Assert.Equal(scores, single.ClassScores!);
            }
        }

        if (task == "binary")
        {
            Assert.Contains(batch, p => p.UnseenCategories.Contains("color"));
        }
    }
}
