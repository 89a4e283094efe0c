using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Training;

public class TrainersTests
{
    [Theory]
    [InlineData(MlTask.BinaryClassification, "lightgbm", "LightGbm")]
    [InlineData(MlTask.BinaryClassification, "FastTree", "FastTree")]
    [InlineData(MlTask.BinaryClassification, "SDCA", "SdcaLogisticRegression")]
    [InlineData(MlTask.BinaryClassification, "lbfgs", "LbfgsLogisticRegression")]
    [InlineData(MlTask.MulticlassClassification, "lightgbm", "LightGbm")]
    [InlineData(MlTask.MulticlassClassification, "fasttree", "FastTreeOneVersusAll")]
    [InlineData(MlTask.MulticlassClassification, "sdca", "SdcaMaximumEntropy")]
    [InlineData(MlTask.MulticlassClassification, "lbfgs", "LbfgsMaximumEntropy")]
    [InlineData(MlTask.Regression, "LightGBM", "LightGbm")]
    [InlineData(MlTask.Regression, "fasttree", "FastTree")]
    [InlineData(MlTask.Regression, "sdca", "Sdca")]
    [InlineData(MlTask.Regression, "lbfgs", "LbfgsPoisson")]
    public void ByName_KnownName_TrainerWithNameAndTask(MlTask task, string name, string expected)
    {
        ITrainer trainer = Trainers.ByName(task, name);

        Assert.Equal(expected, trainer.Name);
        Assert.Equal(task, trainer.Task);
        Assert.Equal($"{expected} ({task})", trainer.ToString());
    }

    [Fact]
    public void ByName_UnknownName_ArgumentExceptionListingNames()
    {
        var ex = Assert.Throws<ArgumentException>(() => Trainers.ByName(MlTask.Regression, "xgboost"));

        Assert.Equal("name", ex.ParamName);
        Assert.Contains("lightgbm, fasttree, sdca, lbfgs", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["lightgbm", "fasttree", "sdca", "lbfgs"], Trainers.Names);
    }

    [Fact]
    public void DelegateTrainer_CreateEstimator_PassesTheContext()
    {
        TrainingContext? seen = null;
        var trainer = new DelegateTrainer("Mine", MlTask.Regression, c =>
        {
            seen = c;
            return c.MLContext.Regression.Trainers.Sdca(c.LabelColumn, c.FeatureColumn);
        });
        var context = new TrainingContext(new MLContext(1), "y", "Features", 7);

        trainer.CreateEstimator(context);

        Assert.Same(context, seen);
        Assert.Throws<ArgumentException>(() => new DelegateTrainer(" ", MlTask.Regression, c => null!));
        Assert.Throws<ArgumentNullException>(() => new DelegateTrainer("x", MlTask.Regression, null!));
    }

    [Fact]
    public async Task RunAsync_MulticlassFastTreeOneVersusAll_TrainsAndMapsPredictionsBackToClasses()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.MulticlassCsv(rows: 300));

        PipelineResult result = await new PipelineBuilder(seed: 3)
            .FromCsv(csv).Label("species").Train(Trainers.Multiclass.FastTreeOneVersusAll(numberOfTrees: 20)).Build().RunAsync(cancellationToken: Ct);

        Assert.Equal("FastTreeOneVersusAll", result.Trainer);
        Assert.InRange(result.Metrics[Metric.MicroAccuracy], 0.9, 1.0);

        // Predictions are the class values, not keys.
        DataTable data = await ReadCsvAsync(csv);
        string[] predicted = result.Model.Transform(data.WithoutColumns("species")).GetColumn<ReadOnlyMemory<char>>("PredictedLabel").Select(m => m.ToString()).ToArray();
        Assert.Equal(300, predicted.Length);
        Assert.All(predicted, p => Assert.Contains(p, result.ClassNames));
        Assert.Equal(3, predicted.Distinct().Count());
    }

    [Fact]
    public async Task RunAsync_MulticlassSdcaMaximumEntropy_Trains()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.MulticlassCsv(rows: 300));

        PipelineResult result = await new PipelineBuilder(seed: 3)
            .FromCsv(csv).Label("species").Train(Trainers.Multiclass.SdcaMaximumEntropy()).Build().RunAsync(cancellationToken: Ct);

        Assert.InRange(result.Metrics[Metric.MicroAccuracy], 0.9, 1.0);
        Assert.InRange(result.Metrics[Metric.LogLoss], 0.0, 0.5);
    }

    [Fact]
    public async Task RunAsync_BinaryLbfgsLogisticRegression_Trains()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 300));

        PipelineResult result = await new PipelineBuilder(seed: 3)
            .FromCsv(csv).Label("label").Train(Trainers.Binary.LbfgsLogisticRegression()).Build().RunAsync(cancellationToken: Ct);

        Assert.Equal("LbfgsLogisticRegression", result.Trainer);
        Assert.InRange(result.Metrics[Metric.Auc], 0.85, 1.0);
    }

    [Fact]
    public async Task TrainedModel_Properties_DescribeInputAndOutputs()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.RegressionCsv(rows: 200));

        PipelineResult result = await new PipelineBuilder(seed: 3)
            .FromCsv(csv).Label("y").Ignore("x2").Train(Trainers.Regression.FastTree(numberOfTrees: 10)).Build().RunAsync(cancellationToken: Ct);

        TrainedModel model = result.Model;
        Assert.Equal("FastTree", model.TrainerName);
        Assert.Equal(MlTask.Regression, model.Task);
        Assert.Equal("y", model.LabelColumn);
        Assert.Empty(model.ClassNames);
        Assert.Equal(["x1", "cat"], model.InputSchema.Select(c => c.Name)); // neither the label nor the ignored column

        DataTable data = await ReadCsvAsync(csv);
        float[] scores = model.Transform(data.WithoutColumns("y", "x2")).GetColumn<float>("Score").ToArray();
        Assert.Equal(200, scores.Length);
        Assert.All(scores, s => Assert.True(float.IsFinite(s)));
    }

    /// <summary>
    /// A trainer instance used by a pipeline with seed 1 and then by one with seed 2 must train like a fresh trainer
    /// in the seed-2 pipeline ("splits, ML.NET and the trainers derive from the pipeline's seed"). Feature sub-sampling
    /// makes LightGBM's seed matter.
    /// </summary>
    [Fact]
    public async Task LightGbm_TrainerReusedByPipelineWithOtherSeed_TrainsLikeAFreshTrainer()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 300));
        var store = new LocalArtifactStore(folder.Path);
        static ITrainer Create() => Trainers.Binary.LightGbm(new LightGbmBinaryTrainer.Options { NumberOfIterations = 20, NumberOfLeaves = 8, Booster = new GradientBooster.Options { FeatureFraction = 0.5 } });
        Task<PipelineResult> RunAsync(ITrainer trainer, int seed, string key)
            => new PipelineBuilder(seed).FromCsv(csv).Label("label").Train(trainer).SaveModelTo(store, key).Build().RunAsync(cancellationToken: Ct);

        PipelineResult fresh = await RunAsync(Create(), 2, "fresh.zip");
        PipelineResult freshAgain = await RunAsync(Create(), 2, "fresh-again.zip");
        Assert.Equal(fresh.Metrics.Metrics, freshAgain.Metrics.Metrics); // control: the setting is deterministic
        ITrainer reused = Create();
        await RunAsync(reused, 1, "first.zip");
        PipelineResult second = await RunAsync(reused, 2, "second.zip");

        Assert.Equal(fresh.Metrics.Metrics, second.Metrics.Metrics);
        AssertSameZipContent(store.GetPath("fresh.zip"), store.GetPath("second.zip"));
    }
}
