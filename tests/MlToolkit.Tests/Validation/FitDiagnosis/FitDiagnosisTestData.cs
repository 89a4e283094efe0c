using Microsoft.ML;
using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Training;
using MlToolkit.Validation;

namespace MlToolkit.Tests.Validation.FitDiagnosis;

/// <summary>Seeded data sets built to show each fit verdict, and hand-made validation contexts.</summary>
internal static class FitDiagnosisTestData
{
    /// <summary>Ten uniform noise features and a label drawn independently of them: nothing to learn, much to memorize.</summary>
    public sealed class NoiseRow
    {
        public float F0 { get; set; }

        public float F1 { get; set; }

        public float F2 { get; set; }

        public float F3 { get; set; }

        public float F4 { get; set; }

        public float F5 { get; set; }

        public float F6 { get; set; }

        public float F7 { get; set; }

        public float F8 { get; set; }

        public float F9 { get; set; }

        public bool Label { get; set; }
    }

    public sealed class BinaryRow
    {
        public float X1 { get; set; }

        public float X2 { get; set; }

        public bool Label { get; set; }
    }

    public sealed class RegressionRow
    {
        public float X { get; set; }

        public float Label { get; set; }
    }

    public sealed class MulticlassRow
    {
        public float A { get; set; }

        public float B { get; set; }

        public float C { get; set; }

        public string Label { get; set; } = string.Empty;
    }

    public static List<NoiseRow> Noise(int rows, int seed)
    {
        var random = new Random(seed);
        float U() => (float)random.NextDouble();
        return Enumerable.Range(0, rows)
            .Select(_ => new NoiseRow { F0 = U(), F1 = U(), F2 = U(), F3 = U(), F4 = U(), F5 = U(), F6 = U(), F7 = U(), F8 = U(), F9 = U(), Label = random.NextDouble() < 0.5 })
            .ToList();
    }

    /// <summary>A clean linear signal: the label is x1 + x2 &gt; 0, flipped on 2% of the rows.</summary>
    public static List<BinaryRow> LinearSignal(int rows, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ =>
        {
            float x1 = (float)((random.NextDouble() * 2) - 1);
            float x2 = (float)((random.NextDouble() * 2) - 1);
            bool label = (x1 + x2 > 0) ^ (random.NextDouble() < 0.02);
            return new BinaryRow { X1 = x1, X2 = x2, Label = label };
        }).ToList();
    }

    /// <summary>XOR of the signs of x1 and x2: perfectly learnable by trees, invisible to a linear model.</summary>
    public static List<BinaryRow> Xor(int rows, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ =>
        {
            float x1 = (float)((random.NextDouble() * 2) - 1);
            float x2 = (float)((random.NextDouble() * 2) - 1);
            return new BinaryRow { X1 = x1, X2 = x2, Label = (x1 > 0) ^ (x2 > 0) };
        }).ToList();
    }

    /// <summary>y = x² + small noise on x in [-1, 1]: symmetric, so the best straight line is flat.</summary>
    public static List<RegressionRow> Parabola(int rows, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ =>
        {
            double x = (random.NextDouble() * 2) - 1;
            return new RegressionRow { X = (float)x, Label = (float)((x * x) + ((random.NextDouble() - 0.5) * 0.1)) };
        }).ToList();
    }

    /// <summary>y = 3x + 1 + small noise: a linear model explains nearly all of it.</summary>
    public static List<RegressionRow> Line(int rows, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ =>
        {
            double x = (random.NextDouble() * 2) - 1;
            return new RegressionRow { X = (float)x, Label = (float)((3 * x) + 1 + ((random.NextDouble() - 0.5) * 0.6)) };
        }).ToList();
    }

    /// <summary>Three classes: the class's feature gets +0.8, so the largest of a, b, c mostly names it.</summary>
    public static List<MulticlassRow> ThreeClasses(int rows, int seed)
    {
        var random = new Random(seed);
        string[] names = ["alpha", "beta", "gamma"];
        return Enumerable.Range(0, rows).Select(_ =>
        {
            int k = random.Next(3);
            float[] v = [(float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble()];
            v[k] += 0.8f;
            return new MulticlassRow { A = v[0], B = v[1], C = v[2], Label = names[k] };
        }).ToList();
    }

    /// <summary>
    /// A validation context with hand-made metrics and label-only data tables (the baseline reads only the label), for a
    /// model whose label column is <c>Label</c>.
    /// </summary>
    public static ValidationContext Context(MlTask task, DataTable training, DataTable heldOut, EvaluationResult trainingMetrics, EvaluationResult heldOutMetrics, IReadOnlyList<string>? classNames = null)
    {
        IReadOnlyList<string> classes = classNames ?? (task == MlTask.BinaryClassification ? ["false", "true"] : []);
        var model = new TrainedModel(new MLContext(seed: 0), null!, null!, task, "Label", classes, "hand-made");
        return new ValidationContext(model, heldOutMetrics, heldOutMetrics, trainingMetrics)
        {
            HeldOutData = heldOut,
            TrainingData = training,
            HeldOutName = "validation",
            Evaluator = DefaultEvaluator.Instance,
        };
    }

    public static DataTable Booleans(params bool[] labels) => new([new BooleanColumn("Label", labels)]);

    public static DataTable Numbers(params float[] labels) => new([new NumberColumn("Label", labels)]);

    public static DataTable Keys(IReadOnlyList<string> classes, params uint[] keys) => new([new KeyColumn("Label", keys, classes)]);

    public static EvaluationResult Metrics(MlTask task, params (string Metric, double Value)[] metrics)
        => new(task, 100, metrics.ToDictionary(m => m.Metric, m => m.Value));
}
