namespace MlToolkit.Evaluation;

/// <summary>The metric names used in <see cref="EvaluationResult.Metrics"/> and in JSON output (camelCase).</summary>
public static class Metric
{
    /// <summary>Fraction of correct predictions (binary), or micro accuracy (multiclass).</summary>
    public const string Accuracy = "accuracy";

    /// <summary>Precision of the positive class.</summary>
    public const string Precision = "precision";

    /// <summary>Recall of the positive class.</summary>
    public const string Recall = "recall";

    /// <summary>F1 score of the positive class.</summary>
    public const string F1 = "f1";

    /// <summary>Area under the ROC curve.</summary>
    public const string Auc = "auc";

    /// <summary>Area under the precision-recall curve (average precision, as scikit-learn computes it).</summary>
    public const string PrAuc = "prAuc";

    /// <summary>Log-loss in nats (natural logarithm), as scikit-learn reports it.</summary>
    public const string LogLoss = "logLoss";

    /// <summary>Micro-averaged accuracy (multiclass).</summary>
    public const string MicroAccuracy = "microAccuracy";

    /// <summary>Macro-averaged accuracy: the mean of per-class recall (multiclass).</summary>
    public const string MacroAccuracy = "macroAccuracy";

    /// <summary>Macro-averaged F1 (multiclass).</summary>
    public const string MacroF1 = "macroF1";

    /// <summary>Root mean squared error.</summary>
    public const string Rmse = "rmse";

    /// <summary>Mean absolute error.</summary>
    public const string Mae = "mae";

    /// <summary>Coefficient of determination.</summary>
    public const string R2 = "r2";

    /// <summary>Whether a larger value of <paramref name="metric"/> is better (false for log-loss, RMSE and MAE).</summary>
    /// <param name="metric">The metric name.</param>
    /// <returns><see langword="true"/> when higher is better.</returns>
    public static bool HigherIsBetter(string metric) => metric is not (LogLoss or Rmse or Mae);
}

/// <summary>The metrics of a model on one data set.</summary>
public sealed class EvaluationResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="task">The task.</param>
    /// <param name="rows">The number of rows evaluated.</param>
    /// <param name="metrics">The metrics by name (see <see cref="Metric"/>); a metric that is undefined on this data is <see cref="double.NaN"/>.</param>
    public EvaluationResult(MlTask task, long rows, IReadOnlyDictionary<string, double> metrics)
    {
        Task = task;
        Rows = rows;
        Metrics = metrics;
    }

    /// <summary>The task.</summary>
    public MlTask Task { get; }

    /// <summary>The number of rows evaluated.</summary>
    public long Rows { get; }

    /// <summary>The metrics by name (see <see cref="Metric"/>); an undefined metric is <see cref="double.NaN"/>.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; }

    /// <summary>The binary details, for binary classification.</summary>
    public BinaryClassificationReport? Binary { get; init; }

    /// <summary>The multiclass details, for multiclass classification.</summary>
    public MulticlassClassificationReport? Multiclass { get; init; }

    /// <summary>The regression details (actual and predicted values, for residual plots), for regression.</summary>
    public RegressionReport? Regression { get; init; }

    /// <summary>The value of <paramref name="metric"/>, or <see cref="double.NaN"/> when it was not computed.</summary>
    /// <param name="metric">The metric name.</param>
    /// <returns>The value.</returns>
    public double this[string metric] => Metrics.TryGetValue(metric, out double v) ? v : double.NaN;
}

/// <summary>A point of a ROC curve.</summary>
/// <param name="FalsePositiveRate">The false-positive rate.</param>
/// <param name="TruePositiveRate">The true-positive rate.</param>
/// <param name="Threshold">The probability threshold that gives it.</param>
public readonly record struct RocPoint(double FalsePositiveRate, double TruePositiveRate, double Threshold);

/// <summary>Binary classification details.</summary>
/// <param name="NegativeClass">The negative class as it was in the data.</param>
/// <param name="PositiveClass">The positive class as it was in the data.</param>
/// <param name="TruePositives">Positives predicted positive.</param>
/// <param name="FalsePositives">Negatives predicted positive.</param>
/// <param name="TrueNegatives">Negatives predicted negative.</param>
/// <param name="FalseNegatives">Positives predicted negative.</param>
/// <param name="RocCurve">The ROC curve, from (0, 0) to (1, 1).</param>
public sealed record BinaryClassificationReport(
    string NegativeClass,
    string PositiveClass,
    long TruePositives,
    long FalsePositives,
    long TrueNegatives,
    long FalseNegatives,
    IReadOnlyList<RocPoint> RocCurve);

/// <summary>Per-class metrics of a multiclass model.</summary>
/// <param name="Class">The class.</param>
/// <param name="Precision">Its precision (NaN when it was never predicted).</param>
/// <param name="Recall">Its recall (NaN when it has no rows).</param>
/// <param name="F1">Its F1 score.</param>
/// <param name="Support">Its number of rows.</param>
public sealed record ClassMetrics(string Class, double Precision, double Recall, double F1, long Support);

/// <summary>Multiclass classification details.</summary>
/// <param name="Classes">The classes, in confusion-matrix order.</param>
/// <param name="ConfusionMatrix">Rows are the true class, columns the predicted class.</param>
/// <param name="PerClass">Per-class precision, recall and F1.</param>
/// <param name="UnknownLabelRows">Rows whose class never occurred in training, left out of the metrics.</param>
public sealed record MulticlassClassificationReport(
    IReadOnlyList<string> Classes,
    long[][] ConfusionMatrix,
    IReadOnlyList<ClassMetrics> PerClass,
    long UnknownLabelRows);

/// <summary>Regression details.</summary>
/// <param name="Actual">Actual values of up to 2,000 rows, evenly spread over the evaluated rows (all of them when fewer).</param>
/// <param name="Predicted">The predictions for the same rows.</param>
public sealed record RegressionReport(IReadOnlyList<float> Actual, IReadOnlyList<float> Predicted);
