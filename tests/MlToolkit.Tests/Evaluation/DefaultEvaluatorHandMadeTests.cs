using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Evaluation;

namespace MlToolkit.Tests.Evaluation;

/// <summary>DefaultEvaluator on small scored views whose metrics are computed by hand (and, where defined, by ML.NET).</summary>
public class DefaultEvaluatorHandMadeTests
{
    public sealed class BinaryRow
    {
        public bool Label { get; set; }

        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }

    /// <summary>ML.NET reads a <c>[KeyType]</c> property of a loaded object as a 0-based index (0 is key 1); an index past the count is a missing key.</summary>
    public sealed class MulticlassRow
    {
        [KeyType(3)]
        public uint Label { get; set; }

        [VectorType(3)]
        public float[] Score { get; set; } = [];

        [KeyType(3)]
        public uint PredictedLabel { get; set; }
    }

    public sealed class RegressionRow
    {
        public float Label { get; set; }

        public float Score { get; set; }
    }

    private static readonly MLContext Ml = new(seed: 0);

    private static IDataView Binary(params (bool Label, float Probability)[] rows)
        => Ml.Data.LoadFromEnumerable(rows.Select(r => new BinaryRow
        {
            Label = r.Label,
            Probability = r.Probability,
            Score = MathF.Log(r.Probability / (1 - r.Probability)),
            PredictedLabel = r.Probability > 0.5f,
        }).ToList());

    private static EvaluationResult EvaluateBinary(IDataView data)
        => DefaultEvaluator.Instance.Evaluate(new EvaluationContext(Ml, MlTask.BinaryClassification, data, "Label", ["neg", "pos"], "test"));

    /// <summary>Positives at 0.9, 0.7, 0.55; negatives at 0.8, 0.6, 0.4; everything above 0.5 is predicted positive.</summary>
    private static IDataView SixRows() => Binary((true, 0.9f), (false, 0.8f), (true, 0.7f), (false, 0.6f), (true, 0.55f), (false, 0.4f));

    [Fact]
    public void Evaluate_SixRankedRows_HandComputedBinaryMetrics()
    {
        EvaluationResult result = EvaluateBinary(SixRows());

        // tp 3, fp 2, tn 1, fn 0.
        BinaryClassificationReport report = result.Binary!;
        Assert.Equal((3L, 2L, 1L, 0L), (report.TruePositives, report.FalsePositives, report.TrueNegatives, report.FalseNegatives));
        Assert.Equal(("neg", "pos"), (report.NegativeClass, report.PositiveClass));
        Assert.Equal(6, result.Rows);
        Assert.Equal(4.0 / 6, result[Metric.Accuracy], 12);
        Assert.Equal(3.0 / 5, result[Metric.Precision], 12);
        Assert.Equal(1.0, result[Metric.Recall], 12);
        Assert.Equal(0.75, result[Metric.F1], 12);

        // 6 of the 9 (positive, negative) pairs are ranked right.
        Assert.Equal(6.0 / 9, result[Metric.Auc], 12);

        // Average precision: recall steps of 1/3 at precision 1, 2/3 and 3/5.
        Assert.Equal((1.0 / 3) + (2.0 / 9) + (1.0 / 5), result[Metric.PrAuc], 12);

        // Log-loss in nats.
        double expected = -(Math.Log(0.9f) + Math.Log(1 - (double)0.8f) + Math.Log(0.7f) + Math.Log(1 - (double)0.6f) + Math.Log(0.55f) + Math.Log(1 - (double)0.4f)) / 6;
        Assert.Equal(expected, result[Metric.LogLoss], 12);
    }

    [Fact]
    public void Evaluate_SixRankedRows_RocPointsPerThreshold()
    {
        EvaluationResult result = EvaluateBinary(SixRows());

        RocPoint[] expected =
        [
            new(0, 0, double.PositiveInfinity),
            new(0, 1.0 / 3, 0.9f),
            new(1.0 / 3, 1.0 / 3, 0.8f),
            new(1.0 / 3, 2.0 / 3, 0.7f),
            new(2.0 / 3, 2.0 / 3, 0.6f),
            new(2.0 / 3, 1, 0.55f),
            new(1, 1, 0.4f),
        ];
        Assert.Equal(expected.Length, result.Binary!.RocCurve.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].FalsePositiveRate, result.Binary.RocCurve[i].FalsePositiveRate, 12);
            Assert.Equal(expected[i].TruePositiveRate, result.Binary.RocCurve[i].TruePositiveRate, 12);
            Assert.Equal(expected[i].Threshold, result.Binary.RocCurve[i].Threshold);
        }
    }

    [Fact]
    public void Evaluate_SixRankedRows_MatchesMlNet()
    {
        IDataView data = SixRows();
        EvaluationResult ours = EvaluateBinary(data);
        CalibratedBinaryClassificationMetrics theirs = Ml.BinaryClassification.Evaluate(data);

        Assert.Equal(theirs.Accuracy, ours[Metric.Accuracy], 1e-6);
        Assert.Equal(theirs.AreaUnderRocCurve, ours[Metric.Auc], 1e-6);
        Assert.Equal(theirs.F1Score, ours[Metric.F1], 1e-6);
        Assert.Equal(theirs.PositivePrecision, ours[Metric.Precision], 1e-6);
        Assert.Equal(theirs.PositiveRecall, ours[Metric.Recall], 1e-6);

        // ML.NET reports log-loss in bits; ours is in nats.
        Assert.Equal(theirs.LogLoss * Math.Log(2), ours[Metric.LogLoss], 1e-6);
    }

    [Fact]
    public void Evaluate_TiedScoresAcrossClasses_TieCountsHalf()
    {
        // Pairs: (0.9 vs 0.7) 1, (0.9 vs 0.2) 1, (0.7 vs 0.7) 1/2, (0.7 vs 0.2) 1.
        EvaluationResult result = EvaluateBinary(Binary((true, 0.7f), (false, 0.7f), (true, 0.9f), (false, 0.2f)));

        Assert.Equal(3.5 / 4, result[Metric.Auc], 12);

        // One ROC point for the tied threshold: both rows at 0.7 enter together.
        Assert.Equal([0, 0, 0.5, 1], result.Binary!.RocCurve.Select(p => p.FalsePositiveRate));
        Assert.Equal([0, 0.5, 1, 1], result.Binary.RocCurve.Select(p => p.TruePositiveRate));
    }

    [Fact]
    public void Evaluate_PerfectRanking_AucOneAndPrAucOne()
    {
        EvaluationResult result = EvaluateBinary(Binary((false, 0.1f), (true, 0.8f), (false, 0.3f), (true, 0.95f)));

        Assert.Equal(1.0, result[Metric.Auc], 12);
        Assert.Equal(1.0, result[Metric.PrAuc], 12);
        Assert.Equal(1.0, result[Metric.Accuracy], 12);
    }

    [Fact]
    public void Evaluate_OnlyPositiveRows_AucIsNaNNotAnException()
    {
        EvaluationResult result = EvaluateBinary(Binary((true, 0.9f), (true, 0.3f), (true, 0.6f)));

        Assert.True(double.IsNaN(result[Metric.Auc]));
        Assert.Equal(2.0 / 3, result[Metric.Accuracy], 12);
        Assert.Equal(2.0 / 3, result[Metric.Recall], 12);
        Assert.Equal(1.0, result[Metric.Precision], 12);
        Assert.Equal(1.0, result[Metric.PrAuc], 12);
        Assert.Single(result.Binary!.RocCurve);
    }

    [Fact]
    public void Evaluate_OnlyNegativeRows_AucRecallAndPrAucAreNaN()
    {
        EvaluationResult result = EvaluateBinary(Binary((false, 0.2f), (false, 0.4f)));

        Assert.True(double.IsNaN(result[Metric.Auc]));
        Assert.True(double.IsNaN(result[Metric.Recall]));
        Assert.True(double.IsNaN(result[Metric.PrAuc]));
        Assert.True(double.IsNaN(result[Metric.F1]));
        Assert.Equal(0.0, result[Metric.Precision]);
        Assert.Equal(1.0, result[Metric.Accuracy], 12);
    }

    [Fact]
    public void Evaluate_ProbabilityOneOnNegative_LogLossClippedNotInfinite()
    {
        // A confident wrong prediction (p = 1 on a negative) and a confident right one: the wrong one costs -ln(1e-15).
        IDataView data = Ml.Data.LoadFromEnumerable(new[]
        {
            new BinaryRow { Label = false, Probability = 1f, Score = 30, PredictedLabel = true },
            new BinaryRow { Label = true, Probability = 1f, Score = 30, PredictedLabel = true },
        });

        EvaluationResult result = EvaluateBinary(data);

        const double clippedOne = 1 - 1e-15;
        Assert.Equal((-Math.Log(1 - clippedOne) - Math.Log(clippedOne)) / 2, result[Metric.LogLoss], 12);
        Assert.InRange(result[Metric.LogLoss], 17.2, 17.3);
    }

    [Fact]
    public void Evaluate_NoRows_MetricsAreNaN()
    {
        EvaluationResult result = EvaluateBinary(Binary());

        Assert.Equal(0, result.Rows);
        Assert.True(double.IsNaN(result[Metric.Accuracy]));
        Assert.True(double.IsNaN(result[Metric.LogLoss]));
        Assert.True(double.IsNaN(result[Metric.Auc]));
        Assert.True(double.IsNaN(result["no such metric"]));
    }

    /// <summary>Rows of (true class a/b/c or null for a missing label, scores of a, b, c).</summary>
    private static IDataView Multiclass(params (char? Label, float[] Score)[] rows)
        => Ml.Data.LoadFromEnumerable(rows.Select(r => new MulticlassRow
        {
            Label = r.Label is { } c ? (uint)(c - 'a') : 3,
            Score = r.Score,
            PredictedLabel = (uint)Array.IndexOf(r.Score, r.Score.Max()),
        }).ToList());

    private static EvaluationResult EvaluateMulticlass(IDataView data)
        => DefaultEvaluator.Instance.Evaluate(new EvaluationContext(Ml, MlTask.MulticlassClassification, data, "Label", ["a", "b", "c"], "test"));

    private static IDataView FiveMulticlassRows() => Multiclass(
        ('a', [0.7f, 0.2f, 0.1f]),   // a -> a
        ('a', [0.3f, 0.6f, 0.1f]),   // a -> b
        ('b', [0.1f, 0.8f, 0.1f]),   // b -> b
        ('c', [0.2f, 0.2f, 0.6f]),   // c -> c
        ('c', [0.5f, 0.1f, 0.4f]));  // c -> a

    [Fact]
    public void Evaluate_FiveMulticlassRows_HandComputedMetrics()
    {
        EvaluationResult result = EvaluateMulticlass(FiveMulticlassRows());

        MulticlassClassificationReport report = result.Multiclass!;
        Assert.Equal([1L, 1, 0], report.ConfusionMatrix[0]);
        Assert.Equal([0L, 1, 0], report.ConfusionMatrix[1]);
        Assert.Equal([1L, 0, 1], report.ConfusionMatrix[2]);
        Assert.Equal(3.0 / 5, result[Metric.MicroAccuracy], 12);
        Assert.Equal(3.0 / 5, result[Metric.Accuracy], 12);
        Assert.Equal((0.5 + 1 + 0.5) / 3, result[Metric.MacroAccuracy], 12);

        // Per class: a P 1/2 R 1/2; b P 1/2 R 1; c P 1 R 1/2.
        Assert.Equal([0.5, 0.5, 1.0], report.PerClass.Select(c => c.Precision));
        Assert.Equal([0.5, 1.0, 0.5], report.PerClass.Select(c => c.Recall));
        double f1B = 2 * 0.5 * 1 / 1.5, f1C = 2 * 1 * 0.5 / 1.5;
        Assert.Equal((0.5 + f1B + f1C) / 3, result[Metric.MacroF1], 12);
        Assert.Equal([2L, 1, 2], report.PerClass.Select(c => c.Support));

        double logLoss = -(Math.Log(0.7f) + Math.Log(0.3f) + Math.Log(0.8f) + Math.Log(0.6f) + Math.Log(0.4f)) / 5; // float probabilities, as scored
        Assert.Equal(logLoss, result[Metric.LogLoss], 12);
    }

    [Fact]
    public void Evaluate_FiveMulticlassRows_MatchesMlNetWhoseLogLossIsAlsoInNats()
    {
        IDataView data = FiveMulticlassRows();
        EvaluationResult ours = EvaluateMulticlass(data);
        MulticlassClassificationMetrics theirs = Ml.MulticlassClassification.Evaluate(data);

        Assert.Equal(theirs.MicroAccuracy, ours[Metric.MicroAccuracy], 1e-9);
        Assert.Equal(theirs.MacroAccuracy, ours[Metric.MacroAccuracy], 1e-9);
        Assert.Equal(theirs.LogLoss, ours[Metric.LogLoss], 1e-6);
    }

    [Fact]
    public void Evaluate_MulticlassRowWithMissingKey_CountedAsUnknownAndLeftOut()
    {
        EvaluationResult result = EvaluateMulticlass(Multiclass(('a', [0.9f, 0.05f, 0.05f]), (null, [0.1f, 0.1f, 0.8f]), ('b', [0.2f, 0.7f, 0.1f])));

        Assert.Equal(1, result.Multiclass!.UnknownLabelRows);
        Assert.Equal(2, result.Rows);
        Assert.Equal(1.0, result[Metric.MicroAccuracy], 12);

        // Class c has no rows: the macro average is over the present classes a and b.
        Assert.True(double.IsNaN(result.Multiclass.PerClass[2].Recall));
        Assert.Equal(1.0, result[Metric.MacroAccuracy], 12);
    }

    private static EvaluationResult EvaluateRegression(IDataView data)
        => DefaultEvaluator.Instance.Evaluate(new EvaluationContext(Ml, MlTask.Regression, data, "Label", [], "test"));

    [Fact]
    public void Evaluate_FourRegressionRows_HandComputedAndMatchesMlNet()
    {
        IDataView data = Ml.Data.LoadFromEnumerable(new[] { (1f, 1.5f), (2f, 2f), (3f, 2.5f), (4f, 5f) }
            .Select(p => new RegressionRow { Label = p.Item1, Score = p.Item2 }).ToList());

        EvaluationResult ours = EvaluateRegression(data);
        RegressionMetrics theirs = Ml.Regression.Evaluate(data);

        // Errors -0.5, 0, 0.5, -1: SSE 1.5; mean 2.5, SST 5.
        Assert.Equal(Math.Sqrt(1.5 / 4), ours[Metric.Rmse], 12);
        Assert.Equal(0.5, ours[Metric.Mae], 12);
        Assert.Equal(1 - (1.5 / 5), ours[Metric.R2], 12);
        Assert.Equal(theirs.RootMeanSquaredError, ours[Metric.Rmse], 1e-9);
        Assert.Equal(theirs.MeanAbsoluteError, ours[Metric.Mae], 1e-9);
        Assert.Equal(theirs.RSquared, ours[Metric.R2], 1e-9);
    }

    [Fact]
    public void Evaluate_ConstantRegressionLabel_R2IsNaN()
    {
        IDataView data = Ml.Data.LoadFromEnumerable(new[] { new RegressionRow { Label = 2, Score = 1 }, new RegressionRow { Label = 2, Score = 3 } });

        EvaluationResult result = EvaluateRegression(data);

        Assert.True(double.IsNaN(result[Metric.R2]));
        Assert.Equal(1.0, result[Metric.Rmse], 12);
        Assert.Equal(1.0, result[Metric.Mae], 12);
    }
}
