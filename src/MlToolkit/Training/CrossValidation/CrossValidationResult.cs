using MlToolkit.Evaluation;
using MlToolkit.Preparation.Split;

namespace MlToolkit.Training.CrossValidation;

/// <summary>The result of k-fold cross-validation: every fold's metrics and a summary of each metric.</summary>
public sealed class CrossValidationResult
{
    internal CrossValidationResult(SplitStrategy strategy, string metric, double maxStandardDeviation, IReadOnlyList<FoldResult> folds)
    {
        Strategy = strategy;
        Metric = metric;
        MaxStandardDeviation = maxStandardDeviation;
        Folds = folds;
        var names = new List<string>();
        foreach (FoldResult fold in folds)
        {
            names.AddRange(fold.Metrics.Metrics.Keys.Where(k => !names.Contains(k)));
        }

        Summary = names.ToDictionary(n => n, n => MetricSummary.Of(folds.Select(f => f.Metrics[n])), StringComparer.Ordinal);
    }

    /// <summary>How rows were dealt into folds (never <see cref="SplitStrategy.Auto"/>).</summary>
    public SplitStrategy Strategy { get; }

    /// <summary>The metric whose spread is judged (see <see cref="CrossValidationOptions.Metric"/>).</summary>
    public string Metric { get; }

    /// <summary>The spread above which the result is <see cref="Unstable"/>.</summary>
    public double MaxStandardDeviation { get; }

    /// <summary>Each fold, in fold order.</summary>
    public IReadOnlyList<FoldResult> Folds { get; }

    /// <summary>Each metric's mean, standard deviation and 95% confidence interval across folds, by metric name.</summary>
    public IReadOnlyDictionary<string, MetricSummary> Summary { get; }

    /// <summary>The summary of <paramref name="metric"/>, or a summary of no values (all NaN) when no fold computed it.</summary>
    /// <param name="metric">The metric name (see <see cref="Evaluation.Metric"/>).</param>
    /// <returns>The summary.</returns>
    public MetricSummary this[string metric] => Summary.TryGetValue(metric, out MetricSummary? s) ? s : MetricSummary.Of([]);

    /// <summary>Whether the folds disagree: the standard deviation of <see cref="Metric"/> is above <see cref="MaxStandardDeviation"/>.</summary>
    public bool Unstable => this[Metric].StandardDeviation > MaxStandardDeviation;
}

/// <summary>One fold of a cross-validation.</summary>
/// <param name="Fold">The 1-based fold number.</param>
/// <param name="TrainRows">The rows the fold trained on (every other fold).</param>
/// <param name="TestRows">The fold's own rows, which it was evaluated on.</param>
/// <param name="Metrics">The metrics on the fold's rows.</param>
public sealed record FoldResult(int Fold, int TrainRows, int TestRows, EvaluationResult Metrics);

/// <summary>A metric summarised across folds.</summary>
/// <param name="Mean">The mean of the folds' values that are defined (not NaN).</param>
/// <param name="StandardDeviation">The sample standard deviation (n − 1) of those values; NaN with fewer than two.</param>
/// <param name="Lower">The lower end of the 95% confidence interval of the mean: Student's t with n − 1 degrees of freedom.</param>
/// <param name="Upper">The upper end of that interval.</param>
/// <param name="Values">Every fold's value, in fold order, NaN where undefined.</param>
public sealed record MetricSummary(double Mean, double StandardDeviation, double Lower, double Upper, IReadOnlyList<double> Values)
{
    /// <summary>The two-sided 97.5% quantiles of Student's t for 1 to 30 degrees of freedom.</summary>
    private static readonly double[] TTable =
    [
        12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
        2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
        2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272,
    ];

    /// <summary>Summarises <paramref name="values"/>.</summary>
    /// <param name="values">One value per fold; NaN values are left out of the mean, deviation and interval.</param>
    /// <returns>The summary.</returns>
    public static MetricSummary Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] all = [.. values];
        double[] defined = [.. all.Where(v => !double.IsNaN(v))];
        int n = defined.Length;
        double mean = n == 0 ? double.NaN : defined.Average();
        if (n < 2)
        {
            return new MetricSummary(mean, double.NaN, double.NaN, double.NaN, all);
        }

        double sd = Math.Sqrt(defined.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        double half = StudentT975(n - 1) * sd / Math.Sqrt(n);
        return new MetricSummary(mean, sd, mean - half, mean + half, all);
    }

    /// <summary>The 97.5% quantile of Student's t: a table to 30 degrees of freedom, then a Cornish-Fisher expansion (error below 1e-5).</summary>
    /// <param name="degreesOfFreedom">The degrees of freedom, at least 1.</param>
    /// <returns>The quantile.</returns>
    internal static double StudentT975(int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        if (degreesOfFreedom <= TTable.Length)
        {
            return TTable[degreesOfFreedom - 1];
        }

        const double z = 1.959963984540054;
        double df = degreesOfFreedom;
        double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
        return z + ((z3 + z) / (4 * df)) + (((5 * z5) + (16 * z3) + (3 * z)) / (96 * df * df))
            + (((3 * z7) + (19 * z5) + (17 * z3) - (15 * z)) / (384 * df * df * df));
    }

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant($"{Mean:G4} ± {StandardDeviation:G2} (95% CI {Lower:G4} to {Upper:G4})");
}
