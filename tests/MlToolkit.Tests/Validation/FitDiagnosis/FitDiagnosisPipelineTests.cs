using Diagnosis = MlToolkit.Validation.FitDiagnosis;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.LightGbm;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using MlToolkit.Validation;
using static MlToolkit.Tests.PipelineTestKit;
using static MlToolkit.Tests.Validation.FitDiagnosis.FitDiagnosisTestData;

namespace MlToolkit.Tests.Validation.FitDiagnosis;

/// <summary>The fit diagnosis through the real pipeline, on data built to show each verdict.</summary>
public class FitDiagnosisPipelineTests
{
    private const int Seed = 7;

    /// <summary>Deep, unregularized boosting: enough capacity to memorize every training row.</summary>
    private static ITrainer MemorizingLightGbm() => Trainers.Binary.LightGbm(new LightGbmBinaryTrainer.Options
    {
        NumberOfIterations = 200,
        NumberOfLeaves = 64,
        MinimumExampleCountPerLeaf = 1,
        LearningRate = 0.3,
    });

    private static ITrainer LinearRegression() => Trainers.Regression.Sdca(new SdcaRegressionTrainer.Options { NumberOfThreads = 1, L2Regularization = 0.1f });

    private static PipelineBuilder Overfit(int rows = 600) => new PipelineBuilder(Seed)
        .FromEnumerable(Noise(rows, seed: 3))
        .Label("Label")
        .Split(test: 0.2, validation: 0.2)
        .Train(MemorizingLightGbm());

    private static Diagnosis Report(PipelineResult result)
    {
        Diagnosis diagnosis = result.Validation!.Diagnosis!;
        TestContext.Current.TestOutputHelper?.WriteLine($"{diagnosis.Verdict}: {diagnosis.Explanation}");
        return diagnosis;
    }

    [Fact]
    public async Task RunAsync_NoiseLabelsDeepLightGbm_Overfitting()
    {
        PipelineResult result = await Overfit().DiagnoseFit().Build().RunAsync(cancellationToken: Ct);

        Diagnosis diagnosis = Report(result);
        Assert.Equal(FitVerdict.Overfitting, diagnosis.Verdict);
        Assert.Equal(Metric.Auc, diagnosis.Metric);
        Assert.Equal(result.TrainingMetrics[Metric.Auc], diagnosis.Training);
        Assert.Equal(result.ValidationMetrics![Metric.Auc], diagnosis.HeldOut);
        Assert.True(diagnosis.Training > 0.99, $"training AUC {diagnosis.Training} should be near 1.");
        Assert.InRange(diagnosis.HeldOut, 0.3, 0.7);
        Assert.Equal(0.5, diagnosis.Baseline);
        Assert.Null(diagnosis.CrossValidation);
        Assert.False(result.Validation!.Passed);
        GateResult gate = Assert.Single(result.Validation.Gates);
        Assert.Equal("fit", gate.Name);
        Assert.StartsWith("overfitting: auc 1.000 on training vs ", gate.Reason, StringComparison.Ordinal);
        Assert.Contains(" on validation (gap ", gate.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CleanSignalHeavilyRegularizedLinearModel_Underfitting()
    {
        // Learnable data, but an L1 weight larger than any gradient the data can produce zeroes every feature weight:
        // the model predicts the prior for every row, exactly as the baseline does.
        PipelineResult result = await new PipelineBuilder(Seed)
            .FromEnumerable(LinearSignal(1000, seed: 6))
            .Label("Label")
            .Split(test: 0.2, validation: 0.2)
            .Train(Trainers.Binary.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options { L1Regularization = 10_000f, L2Regularization = 0f, NumberOfThreads = 1 }))
            .DiagnoseFit()
            .Build()
            .RunAsync(cancellationToken: Ct);

        Diagnosis diagnosis = Report(result);
        Assert.Equal(FitVerdict.Underfitting, diagnosis.Verdict);
        Assert.Equal((0.5, 0.5, 0.5), (diagnosis.Training, diagnosis.HeldOut, diagnosis.Baseline));
        Assert.False(result.Validation!.Passed);
        Assert.Equal("fit", result.Validation.Gates[0].Name);
        Assert.Equal("underfitting: auc 0.500 on validation vs baseline 0.500 (lift 0.000 < 0.02); training 0.500", diagnosis.Explanation);
    }

    [Fact]
    public async Task RunAsync_XorLabelsLinearModelOnLogLoss_Underfitting()
    {
        // A straight line cannot separate XOR: its probabilities stay near the prior, so its log-loss stays at the
        // baseline's entropy. (AUC would be a poor judge here: on 200 rows it wanders about ±0.04 around 0.5.)
        PipelineResult result = await new PipelineBuilder(Seed)
            .FromEnumerable(Xor(1000, seed: 4))
            .Label("Label")
            .Split(test: 0.2, validation: 0.2)
            .Train(Trainers.Binary.LbfgsLogisticRegression())
            .DiagnoseFit(o => o.Metric = Metric.LogLoss)
            .Build()
            .RunAsync(cancellationToken: Ct);

        Diagnosis diagnosis = Report(result);
        Assert.Equal(FitVerdict.Underfitting, diagnosis.Verdict);
        Assert.False(diagnosis.HigherIsBetter);
        Assert.InRange(diagnosis.Baseline, 0.68, 0.70);
        Assert.InRange(diagnosis.HeldOut, diagnosis.Baseline - 0.02, 0.75);
        Assert.InRange(diagnosis.Training, 0.66, 0.70);
        Assert.False(result.Validation!.Passed);
    }

    [Fact]
    public async Task RunAsync_ParabolaLinearRegression_Underfitting()
    {
        PipelineResult result = await new PipelineBuilder(Seed)
            .FromEnumerable(Parabola(1000, seed: 5))
            .Label("Label")
            .Split(test: 0.2, validation: 0.2)
            .Train(LinearRegression())
            .DiagnoseFit()
            .Build()
            .RunAsync(cancellationToken: Ct);

        Diagnosis diagnosis = Report(result);
        Assert.Equal(FitVerdict.Underfitting, diagnosis.Verdict);
        Assert.Equal(Metric.R2, diagnosis.Metric);
        Assert.True(diagnosis.HigherIsBetter);
        Assert.InRange(diagnosis.Baseline, -0.05, 0);
        Assert.InRange(diagnosis.HeldOut, -0.1, diagnosis.Baseline + 0.02);
        Assert.InRange(diagnosis.Training, -0.1, 0.05);
        Assert.False(result.Validation!.Passed);
    }

    [Fact]
    public async Task RunAsync_ParabolaBoostedTrees_Healthy()
    {
        // The same curve is easy for trees: the underfitting above is the linear model's, not the data's.
        PipelineResult result = await new PipelineBuilder(Seed)
            .FromEnumerable(Parabola(1000, seed: 5))
            .Label("Label")
            .Split(test: 0.2, validation: 0.2)
            .Train(Trainers.Regression.LightGbm(numberOfIterations: 50, numberOfLeaves: 8))
            .DiagnoseFit()
            .Build()
            .RunAsync(cancellationToken: Ct);

        Diagnosis diagnosis = Report(result);
        Assert.Equal(FitVerdict.Healthy, diagnosis.Verdict);
        Assert.True(diagnosis.HeldOut > 0.9, $"held-out R² {diagnosis.HeldOut} should be high.");
        Assert.True(result.Validation!.Passed);
    }

    [Fact]
    public async Task RunAsync_CleanLinearSignal_HealthyAndDeploys()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);

        PipelineResult result = await new PipelineBuilder(Seed)
            .FromEnumerable(LinearSignal(1000, seed: 6))
            .Label("Label")
            .Split(test: 0.2, validation: 0.2)
            .Train(Trainers.Binary.LbfgsLogisticRegression())
            .DiagnoseFit()
            .SaveModelTo(store, "healthy/model.zip")
            .Build()
            .RunAsync(cancellationToken: Ct);

        Diagnosis diagnosis = Report(result);
        Assert.Equal(FitVerdict.Healthy, diagnosis.Verdict);
        Assert.True(diagnosis.HeldOut > 0.9, $"validation AUC {diagnosis.HeldOut} should be high.");
        Assert.True(Math.Abs(diagnosis.Training - diagnosis.HeldOut) <= 0.05);
        Assert.Equal(0.5, diagnosis.Baseline);
        Assert.True(result.Validation!.Passed);
        Assert.Equal("fit", result.Validation.Gates[0].Name);
        Assert.StartsWith("healthy: auc ", diagnosis.Explanation, StringComparison.Ordinal);
        Assert.Single(result.Deployments);
        Assert.Null(result.DeploymentSkippedReason);
    }

    [Fact]
    public async Task RunAsync_WithCrossValidation_DiagnosisCarriesTheFoldsMean()
    {
        PipelineResult result = await new PipelineBuilder(Seed)
            .FromEnumerable(LinearSignal(600, seed: 6))
            .Label("Label")
            .Split(test: 0.2, validation: 0.2)
            .Train(Trainers.Binary.LbfgsLogisticRegression())
            .CrossValidate(3)
            .DiagnoseFit()
            .Build()
            .RunAsync(cancellationToken: Ct);

        Diagnosis diagnosis = result.Validation!.Diagnosis!;
        Assert.NotNull(diagnosis.CrossValidation);
        Assert.Equal(result.CrossValidation![diagnosis.Metric].Mean, diagnosis.CrossValidation!.Value);
        Assert.NotEqual(diagnosis.HeldOut, diagnosis.CrossValidation.Value);
    }

    [Fact]
    public async Task RunAsync_WithoutCrossValidation_DiagnosisHasNoFoldsMean()
    {
        PipelineResult result = await new PipelineBuilder(Seed)
            .FromEnumerable(LinearSignal(300, seed: 6))
            .Label("Label")
            .Train(Trainers.Binary.LbfgsLogisticRegression())
            .DiagnoseFit()
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.Null(result.Validation!.Diagnosis!.CrossValidation);
    }

    [Fact]
    public async Task RunAsync_CleanRegressionLine_Healthy()
    {
        PipelineResult result = await new PipelineBuilder(Seed)
            .FromEnumerable(Line(800, seed: 8))
            .Label("Label")
            .Split(test: 0.2, validation: 0.2)
            .Train(LinearRegression())
            .DiagnoseFit()
            .Build()
            .RunAsync(cancellationToken: Ct);

        Diagnosis diagnosis = Report(result);
        Assert.Equal(FitVerdict.Healthy, diagnosis.Verdict);
        Assert.True(diagnosis.HeldOut > 0.9, $"validation R² {diagnosis.HeldOut} should be high.");
        Assert.InRange(diagnosis.Baseline, -0.05, 0);
        Assert.True(result.Validation!.Passed);
    }

    [Fact]
    public async Task RunAsync_SeparableThreeClasses_HealthyOnMacroF1()
    {
        PipelineResult result = await new PipelineBuilder(Seed)
            .FromEnumerable(ThreeClasses(900, seed: 9))
            .Label("Label")
            .Split(test: 0.2, validation: 0.2)
            .Train(Trainers.Multiclass.LbfgsMaximumEntropy())
            .DiagnoseFit()
            .Build()
            .RunAsync(cancellationToken: Ct);

        Diagnosis diagnosis = Report(result);
        Assert.Equal(FitVerdict.Healthy, diagnosis.Verdict);
        Assert.Equal(Metric.MacroF1, diagnosis.Metric);
        Assert.True(diagnosis.HeldOut > 0.8, $"validation macro-F1 {diagnosis.HeldOut} should be high.");

        // The majority-class baseline scores F1 only on its own class: at most 2/3 of it, over 3 classes.
        Assert.InRange(diagnosis.Baseline, 0.1, 2.0 / 9);
        Assert.True(result.Validation!.Passed);
    }

    [Fact]
    public async Task RunAsync_MulticlassAccuracyMetric_BaselineIsMajorityShareOfHeldOut()
    {
        PipelineResult result = await new PipelineBuilder(Seed)
            .FromEnumerable(ThreeClasses(900, seed: 9))
            .Label("Label")
            .Split(test: 0.2, validation: 0.2)
            .Train(Trainers.Multiclass.LbfgsMaximumEntropy())
            .DiagnoseFit(o => o.Metric = Metric.MicroAccuracy)
            .Build()
            .RunAsync(cancellationToken: Ct);

        Diagnosis diagnosis = Report(result);
        long[] trainingSupport = result.TrainingMetrics.Multiclass!.ConfusionMatrix.Select(row => row.Sum()).ToArray();
        long[] validationSupport = result.ValidationMetrics!.Multiclass!.ConfusionMatrix.Select(row => row.Sum()).ToArray();

        // The baseline always predicts the training majority class (the first on a tie): its accuracy is that class's share.
        int majority = Array.IndexOf(trainingSupport, trainingSupport.Max());
        Assert.Equal((double)validationSupport[majority] / validationSupport.Sum(), diagnosis.Baseline, 12);
        Assert.Equal(FitVerdict.Healthy, diagnosis.Verdict);
    }

    [Fact]
    public async Task RunAsync_NoValidationPart_JudgesOnTestData()
    {
        PipelineResult result = await new PipelineBuilder(Seed)
            .FromEnumerable(Noise(600, seed: 3))
            .Label("Label")
            .Split(test: 0.25)
            .Train(MemorizingLightGbm())
            .DiagnoseFit()
            .Build()
            .RunAsync(cancellationToken: Ct);

        Diagnosis diagnosis = Report(result);
        Assert.Null(result.ValidationMetrics);
        Assert.Equal(result.Metrics[Metric.Auc], diagnosis.HeldOut);
        Assert.Equal(FitVerdict.Overfitting, diagnosis.Verdict);
        Assert.Contains(" on test (gap ", diagnosis.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_OverfitModel_GateFailsAndBlocksDeployment()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);

        PipelineResult result = await Overfit().DiagnoseFit().SaveModelTo(store, "overfit/model.zip").Build().RunAsync(cancellationToken: Ct);

        Assert.Equal(FitVerdict.Overfitting, Report(result).Verdict);
        Assert.False(result.Validation!.Passed);
        Assert.Empty(result.Deployments);
        Assert.False(File.Exists(store.GetPath("overfit/model.zip")));
        Assert.NotNull(result.DeploymentSkippedReason);
        Assert.StartsWith("Validation failed: fit: overfitting: auc ", result.DeploymentSkippedReason, StringComparison.Ordinal);
        Assert.Equal(PipelineStage.Validation, result.Timings[^1].Stage);
    }

    [Fact]
    public async Task RunAsync_OverfitModelWithFailOnOverfittingFalse_PassesAndDeploys()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);

        PipelineResult result = await Overfit()
            .DiagnoseFit(new FitDiagnosisOptions { FailOnOverfitting = false })
            .SaveModelTo(store, "overfit/model.zip")
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.Equal(FitVerdict.Overfitting, Report(result).Verdict);
        Assert.True(result.Validation!.Passed);
        Assert.True(result.Validation.Gates[0].Passed);
        Assert.Single(result.Deployments);
        Assert.True(File.Exists(store.GetPath("overfit/model.zip")));
        Assert.Null(result.DeploymentSkippedReason);
    }

    [Fact]
    public async Task RunAsync_GenerousOverfitGap_MemorizingModelStillOverfits()
    {
        // The memorizing model's gap (about 0.5) exceeds even a generous 0.3.
        PipelineResult result = await Overfit().DiagnoseFit(o => o.OverfitGap = 0.3).Build().RunAsync(cancellationToken: Ct);

        Diagnosis diagnosis = Report(result);
        Assert.Equal(FitVerdict.Overfitting, diagnosis.Verdict);
        Assert.Equal(0.3, diagnosis.OverfitGap);
        Assert.Contains("> 0.3)", diagnosis.Explanation, StringComparison.Ordinal);
    }
}
