using MlToolkit.Evaluation;
using MlToolkit.Pipeline;

namespace MlToolkit;

/// <summary>Builder verbs that explain the trained model (see <see cref="FeatureImportance"/>).</summary>
public static class ExplanationBuilderExtensions
{
    /// <summary>
    /// After evaluation, measures each raw input column's permutation importance on the test data: the metric's drop when the
    /// column is shuffled, over <paramref name="repeats"/> shuffles (seeded by the pipeline). The result is in
    /// <see cref="PipelineResult.FeatureImportance"/>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="repeats">Shuffles per column, from 1 to 100; more give a steadier estimate.</param>
    /// <param name="metric">The metric, or <see langword="null"/> for the task's default (AUC, macro F1, R²).</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder ExplainFeatures(this PipelineBuilder builder, int repeats = 5, string? metric = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(repeats, 100);
        if (metric is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        }

        builder.SetExplanation(new ExplanationOptions(repeats, metric));
        return builder;
    }
}
