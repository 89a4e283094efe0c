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
}
