using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Training;
using MlToolkit.Validation;
using static MlToolkit.Tests.Validation.FitDiagnosis.FitDiagnosisTestData;

namespace MlToolkit.Tests.Validation.FitDiagnosis;

public class FitDiagnosisOptionsTests
{
    [Fact]
    public void Constructor_DefaultOptions_DocumentedDefaults()
    {
        var options = new FitDiagnosisOptions();

        Assert.Null(options.Metric);
        Assert.Equal(0.05, options.OverfitGap);
        Assert.Equal(0.02, options.UnderfitMargin);
        Assert.True(options.FailOnOverfitting);
        Assert.True(options.FailOnUnderfitting);
        Assert.Equal(
            "fit diagnosis on the task's default metric: overfit gap 0.05, underfit margin 0.02, fail on overfitting yes, fail on underfitting yes",
            new FitDiagnosisValidator().ToString());
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_BadOverfitGap_ThrowsNamingTheProperty(double gap)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new FitDiagnosisValidator(new FitDiagnosisOptions { OverfitGap = gap }));

        Assert.Equal(nameof(FitDiagnosisOptions.OverfitGap), ex.ParamName);
        Assert.Contains("OverfitGap is", ex.Message, StringComparison.Ordinal);
        Assert.Contains("finite number at least 0", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    public void Constructor_BadUnderfitMargin_ThrowsNamingTheProperty(double margin)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new FitDiagnosisValidator(new FitDiagnosisOptions { UnderfitMargin = margin }));

        Assert.Equal(nameof(FitDiagnosisOptions.UnderfitMargin), ex.ParamName);
        Assert.Contains("UnderfitMargin is", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_BlankMetric_ThrowsNamingTheProperty()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new FitDiagnosisValidator(new FitDiagnosisOptions { Metric = " " }));

        Assert.Equal(nameof(FitDiagnosisOptions.Metric), ex.ParamName);
        Assert.Contains("null for the task's default", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_SeveralBadOptions_OneExceptionListingAll()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new FitDiagnosisValidator(new FitDiagnosisOptions { OverfitGap = -1, UnderfitMargin = -2 }));

        Assert.Equal(nameof(FitDiagnosisOptions.OverfitGap), ex.ParamName);
        Assert.Contains("OverfitGap is -1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("UnderfitMargin is -2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ZeroGapAndMargin_Accepted()
    {
        var validator = new FitDiagnosisValidator(new FitDiagnosisOptions { OverfitGap = 0, UnderfitMargin = 0, Metric = Metric.Accuracy });

        Assert.StartsWith("fit diagnosis on accuracy: overfit gap 0, underfit margin 0", validator.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateAsync_OptionsChangedAfterConstruction_UsesTheCopy()
    {
        var options = new FitDiagnosisOptions();
        var validator = new FitDiagnosisValidator(options);
        options.OverfitGap = 0.5;
        options.FailOnOverfitting = false;
        EvaluationResult training = Metrics(MlTask.BinaryClassification, (Metric.Auc, 0.99));
        EvaluationResult heldOut = Metrics(MlTask.BinaryClassification, (Metric.Auc, 0.81));

        ValidationResult result = await validator.ValidateAsync(Context(MlTask.BinaryClassification, Booleans(true, false), Booleans(true, false), training, heldOut), TestContext.Current.CancellationToken);

        Assert.Equal(FitVerdict.Overfitting, result.Diagnosis!.Verdict);
        Assert.Equal(0.05, result.Diagnosis.OverfitGap);
        Assert.False(result.Passed);
    }

    [Fact]
    public void DiagnoseFit_BadOptionsThroughEitherOverload_ThrowsWhenAdded()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineBuilder().DiagnoseFit(o => o.OverfitGap = -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineBuilder().DiagnoseFit(new FitDiagnosisOptions { UnderfitMargin = double.NaN }));
        Assert.Throws<ArgumentNullException>(() => new PipelineBuilder().DiagnoseFit((Action<FitDiagnosisOptions>)null!));
        Assert.Throws<ArgumentNullException>(() => ((PipelineBuilder)null!).DiagnoseFit());
    }

    [Fact]
    public void DiagnoseFit_Configured_DescribedAsAValidationStage()
    {
        TrainingPipeline pipeline = new PipelineBuilder(seed: 1)
            .FromEnumerable(LinearSignal(50, seed: 1))
            .Label("Label")
            .Train(Trainers.Binary.LbfgsLogisticRegression())
            .DiagnoseFit(o => { o.Metric = Metric.LogLoss; o.OverfitGap = 0.1; })
            .Build();

        StageDescription stage = Assert.Single(pipeline.Describe(), s => s.Stage == PipelineStage.Validation);
        Assert.Equal(nameof(FitDiagnosisValidator), stage.Name);
        Assert.Equal("fit diagnosis on logLoss: overfit gap 0.1, underfit margin 0.02, fail on overfitting yes, fail on underfitting yes", stage.Details);
    }
}
