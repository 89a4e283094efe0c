using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Validation;
using static MlToolkit.Tests.PipelineTestKit;
using static MlToolkit.Tests.Validation.FitDiagnosis.FitDiagnosisTestData;

namespace MlToolkit.Tests.Validation.FitDiagnosis;

/// <summary>The trivial baselines, scored on hand-made held-out labels with priors or means from hand-made training labels.</summary>
public class FitDiagnosisBaselineTests
{
    private static readonly EvaluationResult NoBinaryMetrics = Metrics(MlTask.BinaryClassification);

    [Fact]
    public void EvaluateBaseline_Binary_AucHalfAccuracyMajorityShareLogLossPriorEntropy()
    {
        // Training: 3 positives of 10, so the constant probability is 0.3 and the majority class is negative.
        DataTable training = Booleans(true, false, false, true, false, false, false, true, false, false);
        DataTable heldOut = Booleans(false, true, false, false, true, false, false);
        ValidationContext context = Context(MlTask.BinaryClassification, training, heldOut, NoBinaryMetrics, NoBinaryMetrics);

        EvaluationResult baseline = FitDiagnosisValidator.EvaluateBaseline(context, Ct);

        Assert.Equal(7, baseline.Rows);
        Assert.Equal(0.5, baseline[Metric.Auc]);
        Assert.Equal(5.0 / 7, baseline[Metric.Accuracy], 12);
        double p = 0.3f;
        Assert.Equal(-((2 * Math.Log(p)) + (5 * Math.Log(1 - p))) / 7, baseline[Metric.LogLoss], 12);
        Assert.Equal((0L, 0L, 5L, 2L), (baseline.Binary!.TruePositives, baseline.Binary.FalsePositives, baseline.Binary.TrueNegatives, baseline.Binary.FalseNegatives));
    }

    [Fact]
    public void EvaluateBaseline_BinaryMostlyPositive_PredictsPositiveAndAccuracyIsPositiveShare()
    {
        DataTable training = Booleans(true, true, true, false);
        DataTable heldOut = Booleans(true, false, true, true, true, false);
        ValidationContext context = Context(MlTask.BinaryClassification, training, heldOut, NoBinaryMetrics, NoBinaryMetrics);

        EvaluationResult baseline = FitDiagnosisValidator.EvaluateBaseline(context, Ct);

        Assert.Equal(0.5, baseline[Metric.Auc]);
        Assert.Equal(4.0 / 6, baseline[Metric.Accuracy], 12);
        Assert.Equal(1.0, baseline[Metric.Recall]);
    }

    [Fact]
    public async Task ValidateAsync_Binary_DiagnosisBaselineIsExactlyHalf()
    {
        var random = new Random(5);
        DataTable training = Booleans(Enumerable.Range(0, 500).Select(_ => random.NextDouble() < 0.37).ToArray());
        DataTable heldOut = Booleans(Enumerable.Range(0, 200).Select(_ => random.NextDouble() < 0.37).ToArray());
        EvaluationResult metrics = Metrics(MlTask.BinaryClassification, (Metric.Auc, 0.9));

        ValidationResult result = await new FitDiagnosisValidator().ValidateAsync(Context(MlTask.BinaryClassification, training, heldOut, metrics, metrics), Ct);

        Assert.Equal(0.5, result.Diagnosis!.Baseline);
        Assert.Equal(Metric.Auc, result.Diagnosis.Metric);
    }

    [Fact]
    public void EvaluateBaseline_Multiclass_PriorsAsScoresMajorityPredicted()
    {
        string[] classes = ["a", "b", "c"];

        // Training priors 2/6, 3/6, 1/6; the held-out key 0 (a class unseen in training) is left out by the evaluator.
        ValidationContext context = Context(MlTask.MulticlassClassification, Keys(classes, 1, 1, 2, 2, 2, 3), Keys(classes, 1, 2, 3, 2, 0),
            Metrics(MlTask.MulticlassClassification), Metrics(MlTask.MulticlassClassification), classes);

        EvaluationResult baseline = FitDiagnosisValidator.EvaluateBaseline(context, Ct);

        Assert.Equal(4, baseline.Rows);
        Assert.Equal(1, baseline.Multiclass!.UnknownLabelRows);
        Assert.Equal(0.5, baseline[Metric.MicroAccuracy], 12);
        Assert.Equal(-(Math.Log(2f / 6) + Math.Log(3f / 6) + Math.Log(1f / 6) + Math.Log(3f / 6)) / 4, baseline[Metric.LogLoss], 6);

        // Only b is predicted: its F1 is 2 * 0.5 * 1 / 1.5; a and c score 0.
        Assert.Equal(2.0 / 9, baseline[Metric.MacroF1], 12);
        Assert.Equal([1L, 2L, 1L], baseline.Multiclass.ConfusionMatrix.Select(row => row[1]));
        Assert.All(baseline.Multiclass.ConfusionMatrix, row => Assert.Equal(0L, row[0] + row[2]));
    }

    [Fact]
    public void EvaluateBaseline_RegressionHandMade_MeanOfTrainingLabels()
    {
        // Training mean 4; held-out 2, 5, 9: SSE 4 + 1 + 25 = 30, SST 222/9.
        ValidationContext context = Context(MlTask.Regression, Numbers(1, 2, 3, 4, 10), Numbers(2, 5, 9),
            Metrics(MlTask.Regression), Metrics(MlTask.Regression));

        EvaluationResult baseline = FitDiagnosisValidator.EvaluateBaseline(context, Ct);

        Assert.Equal(1 - (30 / (222.0 / 9)), baseline[Metric.R2], 12);
        Assert.Equal(Math.Sqrt(10), baseline[Metric.Rmse], 12);
        Assert.Equal(8.0 / 3, baseline[Metric.Mae], 12);
    }

    [Fact]
    public void EvaluateBaseline_RegressionRandom_R2IsOneMinusSseOverSstAndAtMostZero()
    {
        var random = new Random(11);
        float[] train = Enumerable.Range(0, 700).Select(_ => (float)((random.NextDouble() * 50) + 10)).ToArray();
        float[] held = Enumerable.Range(0, 300).Select(_ => (float)((random.NextDouble() * 50) + 12)).ToArray();
        ValidationContext context = Context(MlTask.Regression, Numbers(train), Numbers(held), Metrics(MlTask.Regression), Metrics(MlTask.Regression));

        EvaluationResult baseline = FitDiagnosisValidator.EvaluateBaseline(context, Ct);

        double trainingMean = (float)train.Average(v => (double)v);
        double heldMean = held.Average(v => (double)v);
        double sse = held.Sum(v => (v - trainingMean) * (v - trainingMean));
        double sst = held.Sum(v => (v - heldMean) * (v - heldMean));
        Assert.Equal(1 - (sse / sst), baseline[Metric.R2], 9);
        Assert.True(baseline[Metric.R2] <= 0, $"baseline R² {baseline[Metric.R2]} should be at most 0.");
        Assert.True(baseline[Metric.R2] < -0.001, "the held-out mean differs from the training mean, so R² is strictly negative.");
        Assert.Equal(Math.Sqrt(sse / held.Length), baseline[Metric.Rmse], 9);
    }

    [Fact]
    public void EvaluateBaseline_LabelNotEncodedAsTrained_ThrowsNamingTheColumn()
    {
        // A text label where the trainer saw a boolean: a wiring error, not a data property.
        var heldOut = new DataTable([new TextColumn("Label", ["yes", "no"])]);
        ValidationContext context = Context(MlTask.BinaryClassification, Booleans(true, false), heldOut, NoBinaryMetrics, NoBinaryMetrics);

        var ex = Assert.Throws<InvalidOperationException>(() => FitDiagnosisValidator.EvaluateBaseline(context, Ct));

        Assert.Contains("'Label'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("boolean", ex.Message, StringComparison.Ordinal);
    }
}
