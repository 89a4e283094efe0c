using Microsoft.ML;

namespace MlToolkit.Preparation;

/// <summary>
/// Stage 3 of a pipeline: one preparation step (imputation, encoding, scaling…). It is a specification:
/// it creates an unfitted ML.NET estimator that the pipeline fits on the training split only, so the
/// fitted step travels inside the saved model and is applied unchanged to validation, test and
/// prediction data. Derive from <see cref="PreprocessorBase"/> to get column checks for free.
/// </summary>
public interface IPreprocessor
{
    /// <summary>A short name for <c>Describe()</c> and logs, such as <c>OneHot(Plan, Region)</c>.</summary>
    string Name { get; }

    /// <summary>Creates the unfitted estimator for this step.</summary>
    /// <param name="context">The schema this step receives and the training data it will be fitted on.</param>
    /// <returns>The estimator.</returns>
    IEstimator<ITransformer> CreateEstimator(PreparationContext context);
}
