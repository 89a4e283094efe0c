namespace MlToolkit.Validation;

/// <summary>How well a model fits, judged from training, held-out and baseline figures.</summary>
public enum FitVerdict
{
    /// <summary>Held-out quality is close to training quality and clearly better than the baseline.</summary>
    Healthy,

    /// <summary>Training quality is much better than held-out quality: the model memorizes its training data.</summary>
    Overfitting,

    /// <summary>Held-out quality is barely better than a trivial baseline (majority class, mean predictor).</summary>
    Underfitting,
}

/// <summary>A fit diagnosis and the figures behind it.</summary>
/// <param name="Verdict">The verdict.</param>
/// <param name="Metric">The metric compared (see <see cref="Evaluation.Metric"/>).</param>
/// <param name="HigherIsBetter">Whether a larger value of <paramref name="Metric"/> is better.</param>
/// <param name="Training">The metric on the training part.</param>
/// <param name="HeldOut">The metric on the held-out data (validation part, else test).</param>
/// <param name="CrossValidation">The cross-validation mean, when cross-validation ran; otherwise <see langword="null"/>.</param>
/// <param name="Baseline">The metric of the trivial baseline on the held-out data.</param>
/// <param name="OverfitGap">The largest allowed training-minus-held-out advantage before the verdict is overfitting.</param>
/// <param name="UnderfitMargin">The smallest required held-out advantage over the baseline before the verdict is underfitting.</param>
/// <param name="Explanation">The verdict in a sentence, with the numbers.</param>
public sealed record FitDiagnosis(
    FitVerdict Verdict,
    string Metric,
    bool HigherIsBetter,
    double Training,
    double HeldOut,
    double? CrossValidation,
    double Baseline,
    double OverfitGap,
    double UnderfitMargin,
    string Explanation);
