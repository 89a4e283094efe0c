using MlToolkit.Evaluation;
using MlToolkit.Training;

namespace MlToolkit.Validation;

/// <summary>
/// Stage 6 of a pipeline: decides whether a trained, evaluated model may be deployed. A pipeline whose
/// validation fails does not deploy.
/// </summary>
public interface IModelValidator
{
    /// <summary>Validates the model.</summary>
    /// <param name="context">The model and its metrics.</param>
    /// <param name="cancellationToken">Cancels the validation.</param>
    /// <returns>The verdict, with each check's figures.</returns>
    Task<ValidationResult> ValidateAsync(ValidationContext context, CancellationToken cancellationToken = default);
}

/// <summary>What a validator gets.</summary>
/// <param name="Model">The trained model.</param>
/// <param name="TestMetrics">Metrics on the test data (or the separate test source).</param>
/// <param name="ValidationMetrics">Metrics on the validation part, when the split has one.</param>
/// <param name="TrainingMetrics">Metrics on the training part.</param>
public sealed record ValidationContext(TrainedModel Model, EvaluationResult TestMetrics, EvaluationResult? ValidationMetrics, EvaluationResult TrainingMetrics)
{
    /// <summary>
    /// The held-out data validators judge on: the validation part when the split has one, otherwise the test data. Its
    /// label is encoded as the trainer saw it (boolean, key or number), so another model (the one in production, a
    /// baseline) can be scored on exactly the same rows with <see cref="Evaluator"/>.
    /// </summary>
    public required Microsoft.ML.IDataView HeldOutData { get; init; }

    /// <summary>The training part, with its label encoded as for <see cref="HeldOutData"/> (for baselines such as the mean predictor).</summary>
    public required Microsoft.ML.IDataView TrainingData { get; init; }

    /// <summary>Which data <see cref="HeldOutData"/> is: <c>validation</c> or <c>test</c>.</summary>
    public required string HeldOutName { get; init; }

    /// <summary>The metrics of the model on <see cref="HeldOutData"/> (<see cref="ValidationMetrics"/> or <see cref="TestMetrics"/>).</summary>
    public EvaluationResult HeldOutMetrics => ValidationMetrics ?? TestMetrics;

    /// <summary>The pipeline's evaluator, to evaluate other models on <see cref="HeldOutData"/> the same way.</summary>
    public required IEvaluator Evaluator { get; init; }
}

/// <summary>One check of a validation.</summary>
/// <param name="Name">The check, such as <c>auc &gt;= 0.85</c>.</param>
/// <param name="Passed">Whether it passed.</param>
/// <param name="Actual">The measured value.</param>
/// <param name="Threshold">The threshold.</param>
/// <param name="Reason">Why it failed (or a note), for people.</param>
public sealed record GateResult(string Name, bool Passed, double Actual, double Threshold, string Reason);

/// <summary>The verdict of a validator.</summary>
/// <param name="Passed">Whether every check passed.</param>
/// <param name="Gates">Each check with its figures.</param>
public sealed record ValidationResult(bool Passed, IReadOnlyList<GateResult> Gates)
{
    /// <summary>The fit diagnosis (healthy, overfitting, underfitting) with its figures, when a validator made one.</summary>
    public FitDiagnosis? Diagnosis { get; init; }
}
