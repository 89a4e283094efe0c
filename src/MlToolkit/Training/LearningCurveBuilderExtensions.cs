using MlToolkit.Pipeline;
using MlToolkit.Training;

namespace MlToolkit;

/// <summary>Builder verbs for learning curves (see <see cref="LearningCurveResult"/>).</summary>
public static class LearningCurveBuilderExtensions
{
    /// <summary>
    /// After training, trains the same preparation and trainer on <paramref name="points"/> growing, nested, stratified
    /// shares of the training part (1/<paramref name="points"/>, 2/<paramref name="points"/>, … all of it) and scores each on
    /// its training rows and on the validation part (or the test part when there is none). The result is in
    /// <see cref="PipelineResult.LearningCurve"/>; it costs <paramref name="points"/> more fits.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="points">How many training sizes, from 2 to 20.</param>
    /// <param name="metric">The metric, or <see langword="null"/> for the task's default (AUC, macro F1, R²).</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder LearningCurve(this PipelineBuilder builder, int points = 5, string? metric = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(points, 20);
        if (metric is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        }

        builder.SetLearningCurve(new LearningCurveOptions(points, metric));
        return builder;
    }
}
