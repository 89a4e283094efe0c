using Microsoft.ML;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;

namespace MlToolkit.Validation;

/// <summary>
/// A relative gate: the new model must be at least as good as the model an alias (<c>production</c>) points at, both
/// evaluated on the same held-out rows, within a tolerance. With nothing in production yet the gate passes and says
/// so. A production model that cannot be loaded or cannot score the data, or an undefined metric, fails the gate
/// with a reason, never with an exception.
/// </summary>
public sealed class ProductionComparisonValidator : IModelValidator
{
    /// <summary>Creates the gate.</summary>
    /// <param name="registry">The registry holding the production model.</param>
    /// <param name="metric">The metric compared (see <see cref="Metric"/>).</param>
    /// <param name="tolerance">How much worse the new model may be, in the metric's units.</param>
    /// <param name="alias">The alias of the model to beat.</param>
    public ProductionComparisonValidator(ModelRegistry registry, string metric, double tolerance = 0, string alias = "production")
    {
        Registry = registry ?? throw new ArgumentNullException(nameof(registry));
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        ArgumentException.ThrowIfNullOrWhiteSpace(alias);
        if (!double.IsFinite(tolerance) || tolerance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be a finite number, 0 or more.");
        }

        MetricName = metric;
        Tolerance = tolerance;
        Alias = alias;
    }

    /// <summary>The registry.</summary>
    public ModelRegistry Registry { get; }

    /// <summary>The metric compared.</summary>
    public string MetricName { get; }

    /// <summary>How much worse the new model may be.</summary>
    public double Tolerance { get; }

    /// <summary>The alias of the model to beat.</summary>
    public string Alias { get; }

    /// <inheritdoc />
    public async Task<ValidationResult> ValidateAsync(ValidationContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        GateResult gate = await CompareAsync(context, cancellationToken).ConfigureAwait(false);
        return new ValidationResult(gate.Passed, [gate]);
    }

    private async Task<GateResult> CompareAsync(ValidationContext context, CancellationToken cancellationToken)
    {
        bool higher = Metric.HigherIsBetter(MetricName);
        string name = $"{MetricName} not worse than '{Alias}'{(Tolerance > 0 ? $" (tolerance {Tolerance})" : string.Empty)}";
        double candidate = context.HeldOutMetrics[MetricName];
        if (double.IsNaN(candidate))
        {
            return new GateResult(name, false, candidate, double.NaN, $"{MetricName} of the new model is undefined on the {context.HeldOutName} data.");
        }

        ModelAlias? target = await Registry.GetAliasAsync(Alias, cancellationToken).ConfigureAwait(false);
        if (target is null)
        {
            return new GateResult(name, true, candidate, double.NaN, $"no model is in '{Alias}' yet: the first model passes this gate.");
        }

        LoadedModel production;
        try
        {
            production = await Registry.LoadAsync(target.Version, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelRegistryException ex)
        {
            return new GateResult(name, false, candidate, double.NaN, $"the '{Alias}' model (version {target.Version}) could not be loaded: {ex.Reason}");
        }

        if (production.Manifest.Task != context.Model.Task || !production.Manifest.Classes.SequenceEqual(context.Model.ClassNames))
        {
            return new GateResult(name, false, candidate, double.NaN, $"the '{Alias}' model (version {target.Version}) solves {production.Manifest.Task} with classes [{string.Join(", ", production.Manifest.Classes)}], not the same task and classes as the new model, so they cannot be compared.");
        }

        double reference;
        try
        {
            IDataView scored = production.Transformer.Transform(context.HeldOutData);
            reference = context.Evaluator.Evaluate(new EvaluationContext(context.Model.MLContext, context.Model.Task, scored, context.Model.LabelColumn, context.Model.ClassNames, context.HeldOutName))[MetricName];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new GateResult(name, false, candidate, double.NaN, $"the '{Alias}' model (version {target.Version}) cannot score the {context.HeldOutName} data: {ex.Message}");
        }

        if (double.IsNaN(reference))
        {
            return new GateResult(name, true, candidate, reference, $"{MetricName} of the '{Alias}' model (version {target.Version}) is undefined on the {context.HeldOutName} data, so the new model is not held back by it.");
        }

        double threshold = higher ? reference - Tolerance : reference + Tolerance;
        bool passed = higher ? candidate >= threshold : candidate <= threshold;
        string reason = FormattableString.Invariant($"{MetricName} {candidate:G4} vs {reference:G4} for '{Alias}' (version {target.Version}) on the same {context.HeldOutName} rows");
        return new GateResult(name, passed, candidate, threshold, passed ? reason : reason + ": the new model is worse.");
    }

    /// <inheritdoc />
    public override string ToString() => $"{MetricName} not worse than '{Alias}' of {Registry.Name}";
}
