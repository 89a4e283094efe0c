using MlToolkit.Pipeline;
using MlToolkit.Validation;

namespace MlToolkit;

/// <summary>Builder verbs that diagnose the fit of a model (healthy, overfitting, underfitting).</summary>
public static class FitDiagnosisBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="FitDiagnosisValidator"/>: compares the training, held-out and trivial-baseline figures of one metric,
    /// puts the verdict in <see cref="ValidationResult.Diagnosis"/> and, by default, blocks deployment of an overfit or
    /// underfit model (unless forced).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static PipelineBuilder DiagnoseFit(this PipelineBuilder builder, FitDiagnosisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Validate(new FitDiagnosisValidator(options));
    }

    /// <summary>Adds a <see cref="FitDiagnosisValidator"/> configured by <paramref name="configure"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options, such as <c>o =&gt; o.OverfitGap = 0.1</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static PipelineBuilder DiagnoseFit(this PipelineBuilder builder, Action<FitDiagnosisOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new FitDiagnosisOptions();
        configure(options);
        return builder.DiagnoseFit(options);
    }
}
