using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Training;
using MlToolkit.Training.CrossValidation;
using MlToolkit.Training.Search;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Training;

public class EarlyStoppingTests
{
    private static Task<PipelineResult> RunAsync(TempFolder folder, ITrainer trainer, string csv, string label, Func<PipelineBuilder, PipelineBuilder>? more = null)
    {
        PipelineBuilder builder = new PipelineBuilder(7)
            .FromCsv(folder.Write("data.csv", csv))
            .Label(label)
            .Split(test: 0.2, validation: 0.2)
            .Train(trainer);
        return (more?.Invoke(builder) ?? builder).Build().RunAsync(cancellationToken: Ct);
    }

    /// <summary>The trees of the model's gradient-boosted predictor (binary LightGBM or FastTree, or regression).</summary>
    private static int Trees(TrainedModel model)
    {
        foreach (ITransformer part in Flatten(model.Transformer))
        {
            object? parameters = (part as ISingleFeaturePredictionTransformer<object>)?.Model;
            if (parameters is CalibratedModelParametersBase<LightGbmBinaryModelParameters, PlattCalibrator> lightGbm)
            {
                return lightGbm.SubModel.TrainedTreeEnsemble.Trees.Count;
            }

            if (parameters is CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator> fastTree)
            {
                return fastTree.SubModel.TrainedTreeEnsemble.Trees.Count;
            }

            if (parameters is TreeEnsembleModelParametersBasedOnRegressionTree regression)
            {
                return regression.TrainedTreeEnsemble.Trees.Count;
            }
        }

        throw new InvalidOperationException("The model has no tree ensemble.");

        static IEnumerable<ITransformer> Flatten(ITransformer transformer)
            => transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [transformer];
    }

    [Fact]
    public async Task LightGbm_EarlyStoppingRounds_StopsOnValidationAndKeepsTheBestRound()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = TestData.BinaryCsv(1500);

        // A fast learning rate on noisy data overfits long before 1,000 rounds.
        PipelineResult stopped = await RunAsync(folder, Trainers.Binary.LightGbm(numberOfIterations: 1000, learningRate: 0.3, earlyStoppingRounds: 10), csv, "label");
        PipelineResult full = await RunAsync(folder, Trainers.Binary.LightGbm(numberOfIterations: 1000, learningRate: 0.3), csv, "label");

        Assert.True(Trees(stopped.Model) < 200, $"{Trees(stopped.Model)} trees");
        Assert.Equal(1000, Trees(full.Model));
        Assert.True(stopped.ValidationMetrics![Metric.LogLoss] < full.ValidationMetrics![Metric.LogLoss], $"{stopped.ValidationMetrics[Metric.LogLoss]} vs {full.ValidationMetrics[Metric.LogLoss]}");
        Assert.True(stopped.Metrics[Metric.LogLoss] < full.Metrics[Metric.LogLoss]); // and on the test part it never saw
    }

    [Fact]
    public async Task LightGbm_EarlyStopping_SameSeedSameModel()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = TestData.RegressionCsv(1200);
        ITrainer trainer = Trainers.Regression.LightGbm(numberOfIterations: 2000, learningRate: 0.3, earlyStoppingRounds: 15);

        PipelineResult first = await RunAsync(folder, trainer, csv, "y");
        PipelineResult second = await RunAsync(folder, trainer, csv, "y");

        Assert.InRange(Trees(first.Model), 2, 1999);
        Assert.Equal(Trees(first.Model), Trees(second.Model));
        Assert.Equal(first.Metrics[Metric.R2], second.Metrics[Metric.R2]);
    }

    [Fact]
    public async Task FastTree_EarlyStoppingRule_StopsOnValidation()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = TestData.RegressionCsv(1200);
        var options = new FastTreeRegressionTrainer.Options { NumberOfTrees = 2000, LearningRate = 0.5, EarlyStoppingRule = new TolerantEarlyStoppingRule(0.01f), EarlyStoppingMetric = EarlyStoppingMetric.L2Norm };

        PipelineResult result = await RunAsync(folder, Trainers.Regression.FastTree(options), csv, "y");

        Assert.True(Trainers.Regression.FastTree(options).StopsEarly);
        Assert.InRange(Trees(result.Model), 1, 1999);
        Assert.True(result.Metrics[Metric.R2] > 0.9, $"R² {result.Metrics[Metric.R2]}");
    }

    [Fact]
    public void Build_EarlyStoppingWithoutValidationPart_FailsNamingTheFix()
    {
        PipelineBuilder builder = new PipelineBuilder(1)
            .FromCsv("data.csv")
            .Label("label")
            .Split(test: 0.2)
            .Train(Trainers.Binary.LightGbm(earlyStoppingRounds: 10));

        var ex = Assert.Throws<PipelineValidationException>(() => builder.Build());

        Assert.Contains("Trainer LightGbm stops early on the validation part, and the pipeline has none: call Split(test: 0.2, validation: 0.1) or ValidateOn(...).", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StopsEarly_OnlyWhenTheOptionsAskForIt()
    {
        Assert.True(Trainers.Multiclass.LightGbm(earlyStoppingRounds: 5).StopsEarly);
        Assert.False(Trainers.Multiclass.LightGbm().StopsEarly);
        Assert.False(Trainers.Binary.FastTree().StopsEarly);
        Assert.True(Trainers.Binary.FastTree(new FastTreeBinaryTrainer.Options { EnablePruning = true }).StopsEarly);
        Assert.False(Trainers.Binary.SdcaLogisticRegression().StopsEarly);
    }

    [Fact]
    public async Task CrossValidateAndTune_EarlyStoppingTrainer_FoldsTrainEveryRoundTrialsStopOnTheirHeldOutRows()
    {
        using TempFolder folder = TestData.TempFolder();
        ITrainer trainer = Trainers.Binary.LightGbm(numberOfIterations: 300, learningRate: 0.3, earlyStoppingRounds: 10);

        PipelineResult result = await RunAsync(folder, trainer, TestData.BinaryCsv(900), "label", b => b
            .CrossValidate(new CrossValidationOptions { Folds = 3 })
            .Tune(MlToolkit.Training.Search.Search.Random(3), new SearchSpace<LightGbmBinaryTrainer.Options>("LightGbm", MlTask.BinaryClassification, () => new() { NumberOfIterations = 300, LearningRate = 0.3, EarlyStoppingRound = 10 }, Trainers.Binary.LightGbm).Int(o => o.NumberOfLeaves, 4, 32)));

        Assert.Equal(3, result.CrossValidation!.Folds.Count);
        Assert.Equal(3, result.Tuning!.Trials.Count);
        Assert.All(result.Tuning.Trials, t => Assert.False(double.IsNaN(t.Score)));
        Assert.InRange(Trees(result.Model), 1, 299); // the refitted winner stopped early too
    }
}
