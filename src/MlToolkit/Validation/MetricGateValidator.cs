using MlToolkit.Evaluation;

namespace MlToolkit.Validation;

/// <summary>
/// Absolute metric gates, such as ROC-AUC at least 0.85 or RMSE at most 3, on the held-out data: the validation part of
/// the split when there is one (data the model has never seen and that the test metrics do not reuse), otherwise the
/// test data. A metric that is undefined (NaN) or was not computed fails its gate with a reason, never with an exception.
/// </summary>
public sealed class MetricGateValidator : IModelValidator
{
    private readonly List<(string Metric, double Threshold, bool AtLeast)> _gates = [];

    /// <summary>Requires <paramref name="metric"/> to be at least <paramref name="threshold"/>.</summary>
    /// <param name="metric">A name from <see cref="Metric"/>.</param>
    /// <param name="threshold">The lowest acceptable value.</param>
    /// <returns>This validator.</returns>
    public MetricGateValidator AtLeast(string metric, double threshold) => Add(metric, threshold, atLeast: true);

    /// <summary>Requires <paramref name="metric"/> to be at most <paramref name="threshold"/>.</summary>
    /// <param name="metric">A name from <see cref="Metric"/>.</param>
    /// <param name="threshold">The highest acceptable value.</param>
    /// <returns>This validator.</returns>
    public MetricGateValidator AtMost(string metric, double threshold) => Add(metric, threshold, atLeast: false);

    /// <summary>The number of gates.</summary>
    public int Count => _gates.Count;

    /// <inheritdoc />
    public Task<ValidationResult> ValidateAsync(ValidationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var results = new List<GateResult>();
        foreach ((string metric, double threshold, bool atLeast) in _gates)
        {
            double actual = context.HeldOutMetrics[metric];
            string name = $"{metric} {(atLeast ? ">=" : "<=")} {threshold}";
            if (double.IsNaN(actual))
            {
                results.Add(new GateResult(name, false, actual, threshold, $"{metric} is undefined on the {context.HeldOutName} data (for example AUC with one class), or was not computed for this task."));
                continue;
            }

            bool passed = atLeast ? actual >= threshold : actual <= threshold;
            string figures = FormattableString.Invariant($"{metric} is {actual:G4} on the {context.HeldOutName} data");
            results.Add(new GateResult(name, passed, actual, threshold, passed ? figures : FormattableString.Invariant($"{figures}, {(atLeast ? "below" : "above")} {threshold}.")));
        }

        return Task.FromResult(new ValidationResult(results.All(r => r.Passed), results));
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _gates.Select(g => $"{g.Metric} {(g.AtLeast ? ">=" : "<=")} {g.Threshold}"));

    private MetricGateValidator Add(string metric, double threshold, bool atLeast)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        if (!double.IsFinite(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "A gate's threshold must be a finite number.");
        }

        _gates.Add((metric, threshold, atLeast));
        return this;
    }
}
