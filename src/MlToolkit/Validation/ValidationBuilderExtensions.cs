using MlToolkit.Deployment.Registry;
using MlToolkit.Pipeline;
using MlToolkit.Validation;

namespace MlToolkit;

/// <summary>Builder verbs that add validation.</summary>
public static class ValidationBuilderExtensions
{
    /// <summary>Adds absolute metric gates on the test metrics; the model deploys only if all pass (unless forced).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adds the gates, such as <c>v =&gt; v.AtLeast(Metric.Auc, 0.85)</c>.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Validate(this PipelineBuilder builder, Action<MetricGateValidator> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var gates = new MetricGateValidator();
        configure(gates);
        return builder.Validate(gates);
    }

    /// <summary>
    /// Adds a relative gate: the new model must be at least as good as the one <paramref name="alias"/> points at in
    /// <paramref name="registry"/>, on the same held-out rows, within <paramref name="tolerance"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="registry">The registry.</param>
    /// <param name="metric">The metric compared.</param>
    /// <param name="tolerance">How much worse the new model may be.</param>
    /// <param name="alias">The alias of the model to beat.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder ValidateAgainst(this PipelineBuilder builder, ModelRegistry registry, string metric, double tolerance = 0, string alias = "production")
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Validate(new ProductionComparisonValidator(registry, metric, tolerance, alias));
    }
}
