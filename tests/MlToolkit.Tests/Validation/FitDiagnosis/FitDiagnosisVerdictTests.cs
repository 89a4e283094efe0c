using Diagnosis = MlToolkit.Validation.FitDiagnosis;
using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Validation;
using static MlToolkit.Tests.PipelineTestKit;
using static MlToolkit.Tests.Validation.FitDiagnosis.FitDiagnosisTestData;

namespace MlToolkit.Tests.Validation.FitDiagnosis;

/// <summary>Verdicts, precedence, gates and undefined figures, on hand-made metrics (the binary baseline AUC is 0.5).</summary>
public class FitDiagnosisVerdictTests
{
    private static readonly DataTable Training = Booleans(true, false, false, true, false, true, false, false);
    private static readonly DataTable HeldOut = Booleans(true, false, false, true, false);

    private static Task<ValidationResult> Validate(double training, double heldOut, FitDiagnosisOptions? options = null, string metric = Metric.Auc)
        => new FitDiagnosisValidator(options).ValidateAsync(
            Context(MlTask.BinaryClassification, Training, HeldOut, Metrics(MlTask.BinaryClassification, (metric, training)), Metrics(MlTask.BinaryClassification, (metric, heldOut))),
            Ct);

    [Fact]
    public async Task ValidateAsync_TrainingFarAboveHeldOut_OverfittingFailsWithFigures()
    {
        ValidationResult result = await Validate(training: 0.99, heldOut: 0.81);

        Diagnosis diagnosis = result.Diagnosis!;
        Assert.Equal(FitVerdict.Overfitting, diagnosis.Verdict);
        Assert.False(result.Passed);
        GateResult gate = Assert.Single(result.Gates);
        Assert.Equal("fit", gate.Name);
        Assert.False(gate.Passed);
        Assert.Equal(0.81, gate.Actual);
        Assert.Equal(0.99 - 0.05, gate.Threshold, 12);
        Assert.Equal("overfitting: auc 0.990 on training vs 0.810 on validation (gap 0.180 > 0.05); baseline 0.500", gate.Reason);
        Assert.Equal(gate.Reason, diagnosis.Explanation);
        Assert.Equal((Metric.Auc, true, 0.99, 0.81, 0.5, 0.05, 0.02), (diagnosis.Metric, diagnosis.HigherIsBetter, diagnosis.Training, diagnosis.HeldOut, diagnosis.Baseline, diagnosis.OverfitGap, diagnosis.UnderfitMargin));
        Assert.Null(diagnosis.CrossValidation);
    }

    [Fact]
    public async Task ValidateAsync_HeldOutBarelyAboveBaseline_UnderfittingFails()
    {
        ValidationResult result = await Validate(training: 0.53, heldOut: 0.51);

        Assert.Equal(FitVerdict.Underfitting, result.Diagnosis!.Verdict);
        Assert.False(result.Passed);
        Assert.Equal("fit", result.Gates[0].Name);
        Assert.Equal("underfitting: auc 0.510 on validation vs baseline 0.500 (lift 0.010 < 0.02); training 0.530", result.Gates[0].Reason);
        Assert.Equal(0.52, result.Gates[0].Threshold, 12);
    }

    [Fact]
    public async Task ValidateAsync_BothOverfitAndNoBetterThanBaseline_OverfittingTakesPrecedence()
    {
        ValidationResult result = await Validate(training: 0.97, heldOut: 0.505);

        Assert.Equal(FitVerdict.Overfitting, result.Diagnosis!.Verdict);
        Assert.Equal("overfitting: auc 0.970 on training vs 0.505 on validation (gap 0.465 > 0.05); baseline 0.500; validation is also no better than the baseline (lift 0.005 < 0.02)", result.Diagnosis.Explanation);
    }

    [Fact]
    public async Task ValidateAsync_CloseToTrainingAndWellAboveBaseline_HealthyPasses()
    {
        ValidationResult result = await Validate(training: 0.92, heldOut: 0.9);

        Assert.Equal(FitVerdict.Healthy, result.Diagnosis!.Verdict);
        Assert.True(result.Passed);
        GateResult gate = Assert.Single(result.Gates);
        Assert.True(gate.Passed);
        Assert.Equal("fit", gate.Name);
        Assert.Equal(0.92 - 0.05, gate.Threshold, 12);
        Assert.Equal("healthy: auc 0.920 on training vs 0.900 on validation (gap 0.020 <= 0.05); baseline 0.500 (lift 0.400 >= 0.02)", gate.Reason);
    }

    [Fact]
    public async Task ValidateAsync_GapEqualToOverfitGapAndLiftEqualToMargin_Healthy()
    {
        // Exact binary fractions: gap 0.25 = OverfitGap, lift 0.25 = UnderfitMargin; the limits themselves are allowed.
        ValidationResult result = await Validate(training: 1.0, heldOut: 0.75, new FitDiagnosisOptions { OverfitGap = 0.25, UnderfitMargin = 0.25 });

        Assert.Equal(FitVerdict.Healthy, result.Diagnosis!.Verdict);
        Assert.True(result.Passed);
        Assert.Equal(0.75, result.Gates[0].Threshold);
    }

    [Fact]
    public async Task ValidateAsync_HeldOutBelowBaseline_UnderfittingWithNegativeLift()
    {
        ValidationResult result = await Validate(training: 0.5, heldOut: 0.46);

        Assert.Equal(FitVerdict.Underfitting, result.Diagnosis!.Verdict);
        Assert.Contains("(lift -0.040 < 0.02)", result.Diagnosis.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateAsync_LowerIsBetterMetricHeldOutMuchWorse_OverfittingWithHeldOutMinusTrainingGap()
    {
        // Baseline log-loss is the entropy of the training prior 3/8: about 0.66 nats on the held-out rows.
        ValidationResult result = await Validate(training: 0.2, heldOut: 0.4, metric: Metric.LogLoss, options: new FitDiagnosisOptions { Metric = Metric.LogLoss });

        Diagnosis diagnosis = result.Diagnosis!;
        Assert.Equal(FitVerdict.Overfitting, diagnosis.Verdict);
        Assert.False(diagnosis.HigherIsBetter);
        double p = 0.375f;
        Assert.Equal(-((2 * Math.Log(p)) + (3 * Math.Log(1 - p))) / 5, diagnosis.Baseline, 12);
        Assert.Contains("gap 0.200 > 0.05", diagnosis.Explanation, StringComparison.Ordinal);
        Assert.Equal(0.25, result.Gates[0].Threshold, 12);
    }

    [Fact]
    public async Task ValidateAsync_LowerIsBetterMetricCloseAndBelowBaseline_Healthy()
    {
        ValidationResult result = await Validate(training: 0.30, heldOut: 0.32, metric: Metric.LogLoss, options: new FitDiagnosisOptions { Metric = Metric.LogLoss });

        Assert.Equal(FitVerdict.Healthy, result.Diagnosis!.Verdict);
        Assert.True(result.Passed);
        Assert.Equal(0.35, result.Gates[0].Threshold, 12);
    }

    [Fact]
    public async Task ValidateAsync_LowerIsBetterMetricNotBelowBaseline_Underfitting()
    {
        ValidationResult result = await Validate(training: 0.66, heldOut: 0.67, metric: Metric.LogLoss, options: new FitDiagnosisOptions { Metric = Metric.LogLoss });

        Assert.Equal(FitVerdict.Underfitting, result.Diagnosis!.Verdict);
        Assert.False(result.Passed);
    }

    [Fact]
    public async Task ValidateAsync_FailOnOverfittingFalse_PassesButKeepsVerdict()
    {
        ValidationResult result = await Validate(training: 0.99, heldOut: 0.81, new FitDiagnosisOptions { FailOnOverfitting = false });

        Assert.True(result.Passed);
        Assert.True(result.Gates[0].Passed);
        Assert.Equal("fit", result.Gates[0].Name);
        Assert.Equal(FitVerdict.Overfitting, result.Diagnosis!.Verdict);
    }

    [Fact]
    public async Task ValidateAsync_FailOnUnderfittingFalse_PassesButKeepsVerdict()
    {
        ValidationResult result = await Validate(training: 0.53, heldOut: 0.51, new FitDiagnosisOptions { FailOnUnderfitting = false });

        Assert.True(result.Passed);
        Assert.Equal(FitVerdict.Underfitting, result.Diagnosis!.Verdict);
    }

    [Fact]
    public async Task ValidateAsync_HeldOutWithOneClass_FailsAsUndefinedWithoutThrowing()
    {
        // One class in the held-out data: the model's AUC and the baseline's are both NaN.
        ValidationContext context = Context(MlTask.BinaryClassification, Training, Booleans(true, true, true),
            Metrics(MlTask.BinaryClassification, (Metric.Auc, 0.95)), Metrics(MlTask.BinaryClassification, (Metric.Auc, double.NaN)));

        ValidationResult result = await new FitDiagnosisValidator().ValidateAsync(context, Ct);

        Assert.False(result.Passed);
        GateResult gate = Assert.Single(result.Gates);
        Assert.Equal("fit", gate.Name);
        Assert.True(double.IsNaN(gate.Actual));
        Assert.Equal(0.9, gate.Threshold, 12);
        Assert.StartsWith("undefined: auc is undefined on the validation data and the baseline (for example AUC when the data has only one class", gate.Reason, StringComparison.Ordinal);
        Assert.Contains("neither overfitting nor underfitting can be shown, so the verdict is healthy by default", gate.Reason, StringComparison.Ordinal);
        Assert.Equal(FitVerdict.Healthy, result.Diagnosis!.Verdict);
        Assert.True(double.IsNaN(result.Diagnosis.HeldOut));
        Assert.True(double.IsNaN(result.Diagnosis.Baseline));
    }

    [Fact]
    public async Task ValidateAsync_MetricTheTaskDoesNotCompute_FailsAsUndefinedNamingTheEvaluator()
    {
        EvaluationResult metrics = Metrics(MlTask.BinaryClassification, (Metric.Auc, 0.9));
        ValidationContext context = Context(MlTask.BinaryClassification, Training, HeldOut, metrics, metrics);

        ValidationResult result = await new FitDiagnosisValidator(new FitDiagnosisOptions { Metric = Metric.Rmse }).ValidateAsync(context, Ct);

        Assert.False(result.Passed);
        Assert.Equal("fit", result.Gates[0].Name);
        Assert.StartsWith("undefined: rmse is undefined on the training data, the validation data and the baseline (the evaluator does not compute it for BinaryClassification)", result.Gates[0].Reason, StringComparison.Ordinal);
        Assert.False(result.Diagnosis!.HigherIsBetter);
    }

    [Fact]
    public async Task ValidateAsync_Cancelled_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        EvaluationResult metrics = Metrics(MlTask.BinaryClassification, (Metric.Auc, 0.9));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new FitDiagnosisValidator().ValidateAsync(Context(MlTask.BinaryClassification, Training, HeldOut, metrics, metrics), cts.Token));
    }

    [Theory]
    [InlineData(MlTask.BinaryClassification, Metric.Auc)]
    [InlineData(MlTask.MulticlassClassification, Metric.MacroF1)]
    [InlineData(MlTask.Regression, Metric.R2)]
    public void DefaultMetric_EachTask_DocumentedMetric(MlTask task, string expected)
        => Assert.Equal(expected, FitDiagnosisValidator.DefaultMetric(task));

    [Theory]
    [InlineData(Metric.LogLoss, false)]
    [InlineData(Metric.Rmse, false)]
    [InlineData(Metric.Mae, false)]
    [InlineData(Metric.Auc, true)]
    [InlineData(Metric.Accuracy, true)]
    [InlineData(Metric.MacroF1, true)]
    [InlineData(Metric.R2, true)]
    public void IsHigherBetter_Metric_OnlyErrorsAndLossesAreLowerIsBetter(string metric, bool expected)
        => Assert.Equal(expected, FitDiagnosisValidator.IsHigherBetter(metric));
}
