using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using MlToolkit.Validation;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Validation;

public class ValidationGateTests
{
    private sealed record Setup(TempFolder Folder, string Csv, LocalArtifactStore Store) : IDisposable
    {
        public void Dispose() => Folder.Dispose();
    }

    private static Setup Create()
    {
        TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 300));
        return new Setup(folder, csv, new LocalArtifactStore(Path.Combine(folder.Path, "store")));
    }

    private static PipelineBuilder Builder(Setup s) => new PipelineBuilder(seed: 4)
        .FromCsv(s.Csv)
        .Label("label")
        .Train(Trainers.Binary.SdcaLogisticRegression())
        .SaveModelTo(s.Store, "gated/model.zip");

    [Fact]
    public async Task RunAsync_FailingGate_SkipsDeploymentAndWritesNothing()
    {
        using Setup s = Create();

        PipelineResult result = await Builder(s).Validate(v => v.AtLeast(Metric.Auc, 0.9999)).Build().RunAsync(cancellationToken: Ct);

        Assert.Empty(result.Deployments);
        Assert.Null(result.ModelLocation);
        Assert.False(File.Exists(s.Store.GetPath("gated/model.zip")));
        Assert.False(await s.Store.ExistsAsync("gated/model.zip", Ct));
        Assert.False(result.Validation!.Passed);
        GateResult gate = Assert.Single(result.Validation.Gates);
        Assert.Equal("auc >= 0.9999", gate.Name);
        Assert.False(gate.Passed);
        Assert.Equal(result.Metrics[Metric.Auc], gate.Actual);
        Assert.Equal(0.9999, gate.Threshold);
        Assert.NotNull(result.DeploymentSkippedReason);
        Assert.StartsWith("Validation failed: auc >= 0.9999: auc is ", result.DeploymentSkippedReason, StringComparison.Ordinal);
        Assert.EndsWith("below 0.9999.", result.DeploymentSkippedReason, StringComparison.Ordinal);

        // Validation ran as a stage; deployment did not.
        Assert.Equal(
            [PipelineStage.Extraction, PipelineStage.DataQuality, PipelineStage.Split, PipelineStage.Preparation, PipelineStage.Training, PipelineStage.Evaluation, PipelineStage.Validation],
            result.Timings.Select(t => t.Stage));
    }

    [Fact]
    public async Task RunAsync_FailingGateWithForceDeployment_DeploysAnyway()
    {
        using Setup s = Create();

        PipelineResult result = await Builder(s).Validate(v => v.AtLeast(Metric.Auc, 0.9999)).ForceDeployment().Build().RunAsync(cancellationToken: Ct);

        Assert.False(result.Validation!.Passed);
        DeploymentResultAssert(result, s);
        Assert.Null(result.DeploymentSkippedReason);
        Assert.Equal(PipelineStage.Deployment, result.Timings[^1].Stage);
    }

    [Fact]
    public async Task RunAsync_PassingGates_Deploys()
    {
        using Setup s = Create();

        PipelineResult result = await Builder(s)
            .Validate(v => v.AtLeast(Metric.Auc, 0.8).AtMost(Metric.LogLoss, 0.6))
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.True(result.Validation!.Passed);
        Assert.Equal(["auc >= 0.8", "logLoss <= 0.6"], result.Validation.Gates.Select(g => g.Name));
        Assert.All(result.Validation.Gates, g => Assert.Equal(FormattableString.Invariant($"{g.Name.Split(' ')[0]} is {g.Actual:G4} on the test data"), g.Reason));
        DeploymentResultAssert(result, s);
        Assert.Null(result.DeploymentSkippedReason);
    }

    [Fact]
    public async Task RunAsync_OnePassingOneFailingValidator_SkipsAndNamesOnlyTheFailure()
    {
        using Setup s = Create();

        PipelineResult result = await Builder(s)
            .Validate(v => v.AtLeast(Metric.Auc, 0.5))
            .Validate(v => v.AtMost(Metric.LogLoss, 0.01))
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.Equal([true, false], result.Validation!.Gates.Select(g => g.Passed));
        Assert.Empty(result.Deployments);
        Assert.DoesNotContain("auc", result.DeploymentSkippedReason, StringComparison.Ordinal);
        Assert.Contains("logLoss <= 0.01", result.DeploymentSkippedReason, StringComparison.Ordinal);
        Assert.Contains("above 0.01", result.DeploymentSkippedReason, StringComparison.Ordinal);
    }

    private sealed class SilentFailure : IModelValidator
    {
        public Task<ValidationResult> ValidateAsync(ValidationContext context, CancellationToken cancellationToken = default)
            => Task.FromResult(new ValidationResult(false, []));
    }

    [Fact]
    public async Task RunAsync_ValidatorFailsWithoutGates_AddsAGateAndSkipsDeployment()
    {
        using Setup s = Create();

        PipelineResult result = await Builder(s).Validate(new SilentFailure()).Build().RunAsync(cancellationToken: Ct);

        GateResult gate = Assert.Single(result.Validation!.Gates);
        Assert.Equal(nameof(SilentFailure), gate.Name);
        Assert.False(gate.Passed);
        Assert.Equal("The validator failed without naming a gate.", gate.Reason);
        Assert.Empty(result.Deployments);
    }

    private static void DeploymentResultAssert(PipelineResult result, Setup s)
    {
        Assert.Single(result.Deployments);
        Assert.Equal(s.Store.GetPath("gated/model.zip"), result.ModelLocation);
        Assert.True(File.Exists(result.ModelLocation));
        Assert.Equal(new FileInfo(result.ModelLocation!).Length, result.Deployments[0].Bytes);
    }
}

public class MetricGateValidatorTests
{
    private static ValidationContext Context(params (string Metric, double Value)[] metrics)
    {
        var test = new EvaluationResult(MlTask.BinaryClassification, 10, metrics.ToDictionary(m => m.Metric, m => m.Value));
        return new ValidationContext(null!, test, null, test) { HeldOutData = new MlToolkit.Data.DataTable([]), TrainingData = new MlToolkit.Data.DataTable([]), HeldOutName = "test", Evaluator = DefaultEvaluator.Instance };
    }

    [Fact]
    public async Task ValidateAsync_ValueEqualToThreshold_PassesBothDirections()
    {
        var gates = new MetricGateValidator().AtLeast(Metric.Auc, 0.8).AtMost(Metric.LogLoss, 0.5);

        ValidationResult result = await gates.ValidateAsync(Context((Metric.Auc, 0.8), (Metric.LogLoss, 0.5)), Ct);

        Assert.True(result.Passed);
        Assert.Equal(2, gates.Count);
        Assert.Equal("auc >= 0.8, logLoss <= 0.5", gates.ToString());
    }

    [Fact]
    public async Task ValidateAsync_NaNOrMissingMetric_FailsWithReasonNotException()
    {
        var gates = new MetricGateValidator().AtLeast(Metric.Auc, 0.5).AtMost(Metric.Rmse, 3);

        ValidationResult result = await gates.ValidateAsync(Context((Metric.Auc, double.NaN)), Ct);

        Assert.False(result.Passed);
        Assert.All(result.Gates, g => Assert.False(g.Passed));
        Assert.All(result.Gates, g => Assert.True(double.IsNaN(g.Actual)));
        Assert.All(result.Gates, g => Assert.Contains("undefined", g.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateAsync_BelowAndAbove_FailWithFigures()
    {
        var gates = new MetricGateValidator().AtLeast(Metric.Accuracy, 0.9).AtMost(Metric.Mae, 1.0);

        ValidationResult result = await gates.ValidateAsync(Context((Metric.Accuracy, 0.85), (Metric.Mae, 1.25)), Ct);

        Assert.Equal(["accuracy is 0.85 on the test data, below 0.9.", "mae is 1.25 on the test data, above 1."], result.Gates.Select(g => g.Reason));
        Assert.Equal([0.85, 1.25], result.Gates.Select(g => g.Actual));
    }

    [Fact]
    public void AtLeast_NonFiniteThresholdOrBlankMetric_Throws()
    {
        var gates = new MetricGateValidator();

        Assert.Throws<ArgumentOutOfRangeException>(() => gates.AtLeast(Metric.Auc, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => gates.AtMost(Metric.Auc, double.PositiveInfinity));
        Assert.Throws<ArgumentException>(() => gates.AtLeast(" ", 0.5));
        Assert.Equal(0, gates.Count);
    }

    [Fact]
    public async Task ValidateAsync_NoGates_Passes()
    {
        ValidationResult result = await new MetricGateValidator().ValidateAsync(Context(), Ct);

        Assert.True(result.Passed);
        Assert.Empty(result.Gates);
    }
}
