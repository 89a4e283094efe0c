using MlToolkit.Deployment;
using MlToolkit.Evaluation;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Snapshots;
using MlToolkit.Training;
using MlToolkit.Training.CrossValidation;
using MlToolkit.Training.Search;
using MlToolkit.Validation;

namespace MlToolkit.Pipeline;

/// <summary>Everything a pipeline run produced.</summary>
public sealed class PipelineResult
{
    internal PipelineResult()
    {
    }

    /// <summary>The task.</summary>
    public required MlTask Task { get; init; }

    /// <summary>The trainer's name.</summary>
    public required string Trainer { get; init; }

    /// <summary>The pipeline's seed.</summary>
    public required int Seed { get; init; }

    /// <summary>Rows used (after skipped rows and dropped labels), including a separate test source.</summary>
    public required long Rows { get; init; }

    /// <summary>Rows in the training part.</summary>
    public required long TrainRows { get; init; }

    /// <summary>Rows in the validation part.</summary>
    public required long ValidationRows { get; init; }

    /// <summary>Rows in the test part (or the separate test source).</summary>
    public required long TestRows { get; init; }

    /// <summary>The quality of the extracted data.</summary>
    public required DataQualityReport DataQuality { get; init; }

    /// <summary>Metrics on the test data.</summary>
    public required EvaluationResult Metrics { get; init; }

    /// <summary>
    /// Metrics on the training data (for over- and underfitting checks). Computed on first use (a validator or a registry
    /// publish may already have needed them), because scoring the whole training part costs a noticeable share of a fit.
    /// </summary>
    public EvaluationResult TrainingMetrics => LazyTrainingMetrics.Value;

    internal Lazy<EvaluationResult> LazyTrainingMetrics { get; init; } = null!;

    /// <summary>Metrics on the validation part, when there is one.</summary>
    public EvaluationResult? ValidationMetrics { get; init; }

    /// <summary>The cross-validation of the preparation and trainer on the training part, when <c>CrossValidate(...)</c> was added; <see langword="null"/> otherwise.</summary>
    public CrossValidationResult? CrossValidation { get; init; }

    /// <summary>The permutation importance of each input column on the test data, when <c>ExplainFeatures(...)</c> was added; <see langword="null"/> otherwise.</summary>
    public FeatureImportanceResult? FeatureImportance { get; init; }

    /// <summary>The learning curve, when <c>LearningCurve(...)</c> was added; <see langword="null"/> otherwise.</summary>
    public LearningCurveResult? LearningCurve { get; init; }

    /// <summary>
    /// The hyperparameter search, when <c>Tune(...)</c> was added: every trial, and the best one, which <see cref="Model"/> was
    /// trained with. When <see cref="PipelineRunOptions.StopSearch"/> stopped it, <see cref="SearchResult.StoppedEarly"/> is set
    /// and the trials are those that ran.
    /// </summary>
    public SearchResult? Tuning { get; init; }

    /// <summary>The snapshots of what each source gave, when <c>SnapshotTo(...)</c> was added; empty otherwise.</summary>
    public IReadOnlyList<DataSnapshot> Snapshots { get; init; } = [];

    /// <summary>The validation verdict, when validators ran.</summary>
    public ValidationResult? Validation { get; init; }

    /// <summary>Where the model went; empty when nothing was deployed.</summary>
    public required IReadOnlyList<DeploymentResult> Deployments { get; init; }

    /// <summary>Why the model was not deployed, when validation failed; <see langword="null"/> otherwise.</summary>
    public string? DeploymentSkippedReason { get; init; }

    /// <summary>The location of the first deployment, or <see langword="null"/>.</summary>
    public string? ModelLocation => Deployments.Count > 0 ? Deployments[0].Location : null;

    /// <summary>How long each stage took, in order.</summary>
    public required IReadOnlyList<StageTiming> Timings { get; init; }

    /// <summary>The trained model, to score more data in process.</summary>
    public required TrainedModel Model { get; init; }

    /// <summary>Binary: negative then positive class; multiclass: the classes; regression: empty.</summary>
    public IReadOnlyList<string> ClassNames => Model.ClassNames;
}
