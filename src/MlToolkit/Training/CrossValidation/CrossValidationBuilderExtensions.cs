using MlToolkit.Pipeline;
using MlToolkit.Preparation.Split;
using MlToolkit.Training.CrossValidation;

namespace MlToolkit;

/// <summary>Builder verbs that add k-fold cross-validation.</summary>
public static class CrossValidationBuilderExtensions
{
    /// <summary>
    /// Cross-validates the preparation and trainer on the training part before the final model is trained: the result's
    /// <see cref="PipelineResult.CrossValidation"/> holds every fold's metrics and each metric's mean, standard deviation and
    /// 95% confidence interval. <see cref="TrainingPipeline.CrossValidateAsync"/> runs it alone on all the data.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="folds">The number of folds, from 2 to 100.</param>
    /// <param name="strategy">How rows are dealt into folds; <see cref="SplitStrategy.Auto"/> stratifies classification (see <see cref="CrossValidationOptions.Strategy"/>).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The options are not valid; the message lists every problem.</exception>
    public static PipelineBuilder CrossValidate(this PipelineBuilder builder, int folds = 5, SplitStrategy strategy = SplitStrategy.Auto)
        => builder.CrossValidate(new CrossValidationOptions { Folds = folds, Strategy = strategy });

    /// <summary>Cross-validates the preparation and trainer on the training part before the final model is trained.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The options.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The options are not valid; the message lists every problem.</exception>
    public static PipelineBuilder CrossValidate(this PipelineBuilder builder, CrossValidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        builder.SetCrossValidation(options);
        return builder;
    }
}
