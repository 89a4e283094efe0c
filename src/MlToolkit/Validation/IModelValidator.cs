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
public sealed record ValidationContext
{
    private readonly Lazy<EvaluationResult> _trainingMetrics;

    /// <summary>Creates a context.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="testMetrics">Metrics on the test data (or the separate test source).</param>
    /// <param name="validationMetrics">Metrics on the validation part, when there is one.</param>
    /// <param name="trainingMetrics">Metrics on the training part.</param>
    public ValidationContext(TrainedModel model, EvaluationResult testMetrics, EvaluationResult? validationMetrics, EvaluationResult trainingMetrics)
        : this(model, testMetrics, validationMetrics, () => trainingMetrics)
    {
    }

    /// <summary>Creates a context whose training metrics are computed only if a validator reads them.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="testMetrics">Metrics on the test data (or the separate test source).</param>
    /// <param name="validationMetrics">Metrics on the validation part, when there is one.</param>
    /// <param name="trainingMetrics">Computes the metrics on the training part, once, on first use.</param>
    public ValidationContext(TrainedModel model, EvaluationResult testMetrics, EvaluationResult? validationMetrics, Func<EvaluationResult> trainingMetrics)
    {
        ArgumentNullException.ThrowIfNull(trainingMetrics);
        Model = model;
        TestMetrics = testMetrics;
        ValidationMetrics = validationMetrics;
        _trainingMetrics = new Lazy<EvaluationResult>(trainingMetrics, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The trained model.</summary>
    public TrainedModel Model { get; init; }

    /// <summary>Metrics on the test data (or the separate test source).</summary>
    public EvaluationResult TestMetrics { get; init; }

    /// <summary>Metrics on the validation part, when the split has one.</summary>
    public EvaluationResult? ValidationMetrics { get; init; }

    /// <summary>Metrics on the training part (computed on first use).</summary>
    public EvaluationResult TrainingMetrics => _trainingMetrics.Value;

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

    /// <summary>The cross-validation of the training part, when the run cross-validated (<c>CrossValidate(...)</c>); otherwise <see langword="null"/>.</summary>
    public Training.CrossValidation.CrossValidationResult? CrossValidation { get; init; }
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
