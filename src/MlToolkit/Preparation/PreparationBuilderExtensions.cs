using MlToolkit.Pipeline;
using MlToolkit.Preparation;

namespace MlToolkit;

/// <summary>Builder verbs that add preparation steps.</summary>
public static class PreparationBuilderExtensions
{
    /// <summary>Adds preparation steps fluently, in order; they are fitted on the training split only.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Adds the steps, such as <c>p =&gt; p.ImputeMissing().OneHotEncode("Plan")</c>.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder Prepare(this PipelineBuilder builder, Action<PreparationBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var steps = new PreparationBuilder();
        configure(steps);
        foreach (IPreprocessor step in steps.Steps)
        {
            builder.Prepare(step);
        }

        return builder;
    }
}
