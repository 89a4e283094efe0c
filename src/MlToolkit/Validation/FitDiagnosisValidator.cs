using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Data;
using MlToolkit.Evaluation;

namespace MlToolkit.Validation;

/// <summary>
/// Options of <see cref="FitDiagnosisValidator"/>: which metric to compare and how large a difference makes a model
/// overfit or underfit. Validated when the validator is created.
/// </summary>
public sealed class FitDiagnosisOptions
{
    /// <summary>
    /// The metric compared on training, held-out and baseline figures (a name from <see cref="Evaluation.Metric"/>), or
    /// <see langword="null"/> for the task's default: <see cref="Evaluation.Metric.Auc"/> for binary classification,
    /// <see cref="Evaluation.Metric.MacroF1"/> for multiclass classification (it weighs every class alike, so a model that
    /// only predicts the majority class cannot look good on imbalanced data) and <see cref="Evaluation.Metric.R2"/> for
    /// regression. <see cref="Evaluation.Metric.LogLoss"/>, <see cref="Evaluation.Metric.Rmse"/> and
    /// <see cref="Evaluation.Metric.Mae"/> are lower-is-better; every other metric is higher-is-better.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (the task's default metric).</value>
    public string? Metric { get; set; }

    /// <summary>
    /// The largest advantage of the training figure over the held-out figure, in the metric's units, before the verdict is
    /// <see cref="FitVerdict.Overfitting"/>. For a higher-is-better metric the gap is training minus held-out; for a
    /// lower-is-better one it is held-out minus training. Must be finite and at least 0.
    /// </summary>
    /// <value>The default value is 0.05.</value>
    public double OverfitGap { get; set; } = 0.05;

    /// <summary>
    /// The smallest advantage of the held-out figure over the trivial baseline, in the metric's units, before the verdict is
    /// <see cref="FitVerdict.Underfitting"/>. Must be finite and at least 0.
    /// </summary>
    /// <value>The default value is 0.02.</value>
    public double UnderfitMargin { get; set; } = 0.02;

    /// <summary>Whether an <see cref="FitVerdict.Overfitting"/> verdict fails the validation (and so blocks deployment).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool FailOnOverfitting { get; set; } = true;

    /// <summary>Whether an <see cref="FitVerdict.Underfitting"/> verdict fails the validation (and so blocks deployment).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool FailOnUnderfitting { get; set; } = true;
}

/// <summary>
/// Diagnoses the fit of a model by comparing one metric on the training part, on the held-out data (the validation part,
/// else the test data) and for a trivial baseline scored on the same held-out rows with the pipeline's evaluator:
/// <list type="bullet">
/// <item><description>binary: a constant probability equal to the training positive rate (AUC 0.5, log-loss the entropy of
/// that prior, accuracy the share of the training majority class; a 0.5 rate predicts the negative class);</description></item>
/// <item><description>multiclass: the training class priors as scores, predicting the most frequent training class;</description></item>
/// <item><description>regression: the mean of the training labels (R² at most 0 on the held-out data, RMSE their spread).</description></item>
/// </list>
/// <para>
/// The verdict is <see cref="FitVerdict.Overfitting"/> when training beats held-out by more than
/// <see cref="FitDiagnosisOptions.OverfitGap"/>; otherwise <see cref="FitVerdict.Underfitting"/> when held-out beats the
/// baseline by less than <see cref="FitDiagnosisOptions.UnderfitMargin"/>; otherwise <see cref="FitVerdict.Healthy"/>.
/// Overfitting takes precedence: a model that memorizes its training data (noise included) is usually also no better than
/// the baseline on new rows, and the remedy is less capacity or more data, not more capacity. The explanation then
/// mentions the weak held-out figure too.
/// </para>
/// <para>
/// An undefined figure (<see cref="double.NaN"/>, such as AUC when the held-out data has one class, or a metric the
/// evaluator does not compute for the task) never throws: the gate (named <c>fit</c>, as always) fails with a reason that
/// names the metric and where it is undefined, and the verdict is made from the comparisons that are defined
/// (<see cref="FitVerdict.Healthy"/> when none is). When the run cross-validated, <see cref="FitDiagnosis.CrossValidation"/> is
/// the folds' mean of the metric (for information: the verdict compares the training and held-out figures).
/// </para>
/// </summary>
public sealed class FitDiagnosisValidator : IModelValidator
{
    /// <summary>The name of the gate this validator reports, whatever its verdict (the verdict leads the gate's reason).</summary>
    public const string GateName = "fit";

    private readonly string? _metric;
    private readonly double _overfitGap;
    private readonly double _underfitMargin;
    private readonly bool _failOnOverfitting;
    private readonly bool _failOnUnderfitting;

    /// <summary>Creates the validator; the options are copied, so later changes to them have no effect.</summary>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// An option is out of range (a negative or non-finite <see cref="FitDiagnosisOptions.OverfitGap"/> or
    /// <see cref="FitDiagnosisOptions.UnderfitMargin"/>, a blank <see cref="FitDiagnosisOptions.Metric"/>); the exception's
    /// parameter is the first such property and its message lists them all.
    /// </exception>
    public FitDiagnosisValidator(FitDiagnosisOptions? options = null)
    {
        options ??= new FitDiagnosisOptions();
        var problems = new List<(string Property, object? Value, string Message)>();
        if (options.Metric is not null && string.IsNullOrWhiteSpace(options.Metric))
        {
            problems.Add((nameof(FitDiagnosisOptions.Metric), options.Metric, $"{nameof(FitDiagnosisOptions.Metric)} is blank: give a metric name such as \"{Evaluation.Metric.Auc}\", or null for the task's default."));
        }

        if (!double.IsFinite(options.OverfitGap) || options.OverfitGap < 0)
        {
            problems.Add((nameof(FitDiagnosisOptions.OverfitGap), options.OverfitGap, FormattableString.Invariant($"{nameof(FitDiagnosisOptions.OverfitGap)} is {options.OverfitGap}; it must be a finite number at least 0, in the metric's units (such as 0.05 for AUC).")));
        }

        if (!double.IsFinite(options.UnderfitMargin) || options.UnderfitMargin < 0)
        {
            problems.Add((nameof(FitDiagnosisOptions.UnderfitMargin), options.UnderfitMargin, FormattableString.Invariant($"{nameof(FitDiagnosisOptions.UnderfitMargin)} is {options.UnderfitMargin}; it must be a finite number at least 0, in the metric's units (such as 0.02 for AUC).")));
        }

        if (problems.Count > 0)
        {
            throw new ArgumentOutOfRangeException(problems[0].Property, problems[0].Value, string.Join(" ", problems.Select(p => p.Message)));
        }

        _metric = options.Metric;
        _overfitGap = options.OverfitGap;
        _underfitMargin = options.UnderfitMargin;
        _failOnOverfitting = options.FailOnOverfitting;
        _failOnUnderfitting = options.FailOnUnderfitting;
    }

    /// <summary>The metric a task is diagnosed on when <see cref="FitDiagnosisOptions.Metric"/> is <see langword="null"/>.</summary>
    /// <param name="task">The task.</param>
    /// <returns><see cref="Evaluation.Metric.Auc"/>, <see cref="Evaluation.Metric.MacroF1"/> or <see cref="Evaluation.Metric.R2"/>.</returns>
    public static string DefaultMetric(MlTask task) => task switch
    {
        MlTask.BinaryClassification => Evaluation.Metric.Auc,
        MlTask.MulticlassClassification => Evaluation.Metric.MacroF1,
        _ => Evaluation.Metric.R2,
    };

    /// <summary>Whether a larger value of <paramref name="metric"/> is better: false for log-loss, RMSE and MAE, true otherwise.</summary>
    /// <param name="metric">A metric name.</param>
    /// <returns>Whether higher is better.</returns>
    public static bool IsHigherBetter(string metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return metric is not (Evaluation.Metric.LogLoss or Evaluation.Metric.Rmse or Evaluation.Metric.Mae);
    }

    /// <inheritdoc />
    public Task<ValidationResult> ValidateAsync(ValidationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Model is null)
        {
            throw new ArgumentException("The validation context has no model; the fit diagnosis needs its task, label column and classes.", nameof(context));
        }

        cancellationToken.ThrowIfCancellationRequested();
        string metric = _metric ?? DefaultMetric(context.Model.Task);
        bool higher = IsHigherBetter(metric);
        double training = context.TrainingMetrics[metric];
        double heldOut = context.HeldOutMetrics[metric];
        EvaluationResult baselineMetrics = EvaluateBaseline(context, cancellationToken);
        double baseline = baselineMetrics[metric];

        // NaN in either operand makes the comparison false, so an undefined figure never decides a verdict.
        double gap = higher ? training - heldOut : heldOut - training;
        double lift = higher ? heldOut - baseline : baseline - heldOut;
        bool overfit = gap > _overfitGap;
        bool underfit = lift < _underfitMargin;
        FitVerdict verdict = overfit ? FitVerdict.Overfitting : underfit ? FitVerdict.Underfitting : FitVerdict.Healthy;

        var undefined = new List<string>();
        if (double.IsNaN(training))
        {
            undefined.Add("the training data");
        }

        if (double.IsNaN(heldOut))
        {
            undefined.Add($"the {context.HeldOutName} data");
        }

        if (double.IsNaN(baseline))
        {
            undefined.Add("the baseline");
        }

        string held = context.HeldOutName;
        string verdictSentence = verdict switch
        {
            FitVerdict.Overfitting => $"overfitting: {metric} {F(training)} on training vs {F(heldOut)} on {held} (gap {F(gap)} > {G(_overfitGap)}); baseline {F(baseline)}"
                + (underfit ? $"; {held} is also no better than the baseline (lift {F(lift)} < {G(_underfitMargin)})" : string.Empty),
            FitVerdict.Underfitting => $"underfitting: {metric} {F(heldOut)} on {held} vs baseline {F(baseline)} (lift {F(lift)} < {G(_underfitMargin)}); training {F(training)}",
            _ when undefined.Count > 0 => $"training {F(training)}, {held} {F(heldOut)}, baseline {F(baseline)}: neither overfitting nor underfitting can be shown, so the verdict is healthy by default",
            _ => $"healthy: {metric} {F(training)} on training vs {F(heldOut)} on {held} (gap {F(gap)} <= {G(_overfitGap)}); baseline {F(baseline)} (lift {F(lift)} >= {G(_underfitMargin)})",
        };

        string explanation = verdictSentence;
        if (undefined.Count > 0)
        {
            bool computed = context.HeldOutMetrics.Metrics.ContainsKey(metric) && context.TrainingMetrics.Metrics.ContainsKey(metric);
            string hint = computed
                ? "for example AUC when the data has only one class, or R² when the label is constant"
                : $"the evaluator does not compute it for {context.Model.Task}";
            explanation = $"undefined: {metric} is undefined on {Join(undefined)} ({hint}); {verdictSentence}";
        }

        bool passed = undefined.Count == 0 && verdict switch
        {
            FitVerdict.Overfitting => !_failOnOverfitting,
            FitVerdict.Underfitting => !_failOnUnderfitting,
            _ => true,
        };

        var diagnosis = new FitDiagnosis(verdict, metric, higher, training, heldOut, CrossValidationMean(context, metric), baseline, _overfitGap, _underfitMargin, explanation);
        // One name whatever the verdict, which leads the reason ("fit: healthy: auc …" would say it twice).
        var gate = new GateResult(GateName, passed, heldOut, HealthyThreshold(higher, training, baseline), explanation);
        return Task.FromResult(new ValidationResult(passed, [gate]) { Diagnosis = diagnosis });
    }

    /// <inheritdoc />
    public override string ToString()
        => FormattableString.Invariant($"fit diagnosis on {_metric ?? "the task's default metric"}: overfit gap {_overfitGap}, underfit margin {_underfitMargin}, fail on overfitting {(_failOnOverfitting ? "yes" : "no")}, fail on underfitting {(_failOnUnderfitting ? "yes" : "no")}");

    /// <summary>
    /// Scores the trivial baseline on <see cref="ValidationContext.HeldOutData"/> (priors or mean from
    /// <see cref="ValidationContext.TrainingData"/>) and evaluates it with <see cref="ValidationContext.Evaluator"/>.
    /// </summary>
    internal static EvaluationResult EvaluateBaseline(ValidationContext context, CancellationToken cancellationToken)
    {
        IDataView scored = ScoreBaseline(context, cancellationToken);
        var evaluation = new EvaluationContext(context.Model.MLContext, context.Model.Task, scored, context.Model.LabelColumn, context.Model.ClassNames, $"{context.HeldOutName} (baseline)");
        return context.Evaluator.Evaluate(evaluation);
    }

    /// <summary>The held-out label with the baseline's output columns, as the model's scored data would have them.</summary>
    internal static DataTable ScoreBaseline(ValidationContext context, CancellationToken cancellationToken)
    {
        string label = context.Model.LabelColumn;
        switch (context.Model.Task)
        {
            case MlTask.BinaryClassification:
            {
                bool[] train = ReadColumn<bool>(context.TrainingData, label, "training", t => t is BooleanDataViewType, "boolean", cancellationToken);
                bool[] held = ReadColumn<bool>(context.HeldOutData, label, context.HeldOutName, t => t is BooleanDataViewType, "boolean", cancellationToken);
                double rate = train.Length == 0 ? 0.5 : (double)train.Count(l => l) / train.Length;
                float probability = (float)rate;
                float score = (float)Math.Log(Math.Clamp(rate, 1e-15, 1 - 1e-15) / Math.Clamp(1 - rate, 1e-15, 1 - 1e-15));
                return new DataTable(
                [
                    new BooleanColumn(label, held),
                    new NumberColumn("Score", Enumerable.Repeat(score, held.Length).ToArray()),
                    new NumberColumn("Probability", Enumerable.Repeat(probability, held.Length).ToArray()),
                    new BooleanColumn("PredictedLabel", Enumerable.Repeat(rate > 0.5, held.Length).ToArray()),
                ]);
            }

            case MlTask.MulticlassClassification:
            {
                IReadOnlyList<string> classes = context.Model.ClassNames;
                int k = classes.Count;
                uint[] train = ReadColumn<uint>(context.TrainingData, label, "training", t => t is KeyDataViewType { RawType: var raw } && raw == typeof(uint), "uint key", cancellationToken);
                uint[] held = ReadColumn<uint>(context.HeldOutData, label, context.HeldOutName, t => t is KeyDataViewType { RawType: var raw } && raw == typeof(uint), "uint key", cancellationToken);
                long[] counts = new long[k];
                foreach (uint key in train)
                {
                    if (key >= 1 && key <= k)
                    {
                        counts[key - 1]++;
                    }
                }

                long total = counts.Sum();
                float[] priors = counts.Select(c => total == 0 ? 1f / k : (float)((double)c / total)).ToArray();
                int majority = 0;
                for (int c = 1; c < k; c++)
                {
                    if (counts[c] > counts[majority])
                    {
                        majority = c;
                    }
                }

                float[] scores = new float[held.Length * k];
                for (int row = 0; row < held.Length; row++)
                {
                    priors.CopyTo(scores, row * k);
                }

                return new DataTable(
                [
                    new KeyColumn(label, held, classes),
                    new VectorColumn("Score", k, scores),
                    new KeyColumn("PredictedLabel", Enumerable.Repeat((uint)(majority + 1), held.Length).ToArray(), classes),
                ]);
            }

            default:
            {
                float[] train = ReadColumn<float>(context.TrainingData, label, "training", t => t == NumberDataViewType.Single, "float", cancellationToken);
                float[] held = ReadColumn<float>(context.HeldOutData, label, context.HeldOutName, t => t == NumberDataViewType.Single, "float", cancellationToken);
                double sum = 0;
                long n = 0;
                foreach (float value in train)
                {
                    if (!float.IsNaN(value))
                    {
                        sum += value;
                        n++;
                    }
                }

                float mean = n == 0 ? float.NaN : (float)(sum / n);
                return new DataTable(
                [
                    new NumberColumn(label, held),
                    new NumberColumn("Score", Enumerable.Repeat(mean, held.Length).ToArray()),
                ]);
            }
        }
    }

    private static T[] ReadColumn<T>(IDataView data, string column, string dataName, Func<DataViewType, bool> accepts, string expected, CancellationToken cancellationToken)
    {
        DataViewSchema.Column? col = data.Schema.GetColumnOrNull(column);
        if (col is null)
        {
            throw new InvalidOperationException($"The {dataName} data has no label column '{column}', which the fit diagnosis needs for its baseline.");
        }

        if (!accepts(col.Value.Type))
        {
            throw new InvalidOperationException($"The label column '{column}' of the {dataName} data is {col.Value.Type}, but the fit diagnosis needs it encoded as the trainer saw it ({expected}).");
        }

        var values = new List<T>();
        using DataViewRowCursor cursor = data.GetRowCursor([col.Value]);
        ValueGetter<T> getter = cursor.GetGetter<T>(col.Value);
        T value = default!;
        while (cursor.MoveNext())
        {
            if ((values.Count & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            getter(ref value);
            values.Add(value);
        }

        return [.. values];
    }

    /// <summary>
    /// The held-out value the model needed to be healthy: at least max(training - gap, baseline + margin) for a
    /// higher-is-better metric, at most min(training + gap, baseline - margin) otherwise, over the defined figures.
    /// </summary>
    private double HealthyThreshold(bool higher, double training, double baseline)
    {
        double fromTraining = higher ? training - _overfitGap : training + _overfitGap;
        double fromBaseline = higher ? baseline + _underfitMargin : baseline - _underfitMargin;
        if (double.IsNaN(fromTraining))
        {
            return fromBaseline;
        }

        if (double.IsNaN(fromBaseline))
        {
            return fromTraining;
        }

        return higher ? Math.Max(fromTraining, fromBaseline) : Math.Min(fromTraining, fromBaseline);
    }

    private static string Join(List<string> parts) => parts.Count switch
    {
        1 => parts[0],
        2 => $"{parts[0]} and {parts[1]}",
        _ => $"{string.Join(", ", parts.Take(parts.Count - 1))} and {parts[^1]}",
    };

    /// <summary>Three decimals, without a minus sign on a value that rounds to zero.</summary>
    private static string F(double value)
    {
        if (double.IsNaN(value))
        {
            return "undefined";
        }

        double rounded = Math.Round(value, 3, MidpointRounding.AwayFromZero);
        return (rounded == 0 ? 0 : rounded).ToString("0.000", CultureInfo.InvariantCulture);
    }

    private static string G(double value) => value.ToString("G", CultureInfo.InvariantCulture);

    /// <summary>The cross-validation mean of <paramref name="metric"/>, when the run cross-validated and the folds computed it.</summary>
    private static double? CrossValidationMean(ValidationContext context, string metric)
        => context.CrossValidation is { } cv && cv.Summary.TryGetValue(metric, out var summary) && double.IsFinite(summary.Mean) ? summary.Mean : null;
}
