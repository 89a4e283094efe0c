using MlToolkit.Evaluation;
using MlToolkit.Training;
using MlToolkit.Validation;

namespace MlToolkit.Deployment;

/// <summary>
/// Stage 7 of a pipeline: puts a validated model where hosts load it from. Use <see cref="ModelFileDeployer"/>
/// (<c>SaveModelTo</c>) to write the model file to any <see cref="Storage.IArtifactStore"/>.
/// </summary>
public interface IDeployer
{
    /// <summary>Deploys the model.</summary>
    /// <param name="context">The model, its metrics and validation.</param>
    /// <param name="cancellationToken">Cancels the deployment; nothing half-written is left.</param>
    /// <returns>Where the model went.</returns>
    Task<DeploymentResult> DeployAsync(DeploymentContext context, CancellationToken cancellationToken = default);
}

/// <summary>What a deployer gets.</summary>
/// <param name="Model">The trained model.</param>
/// <param name="TestMetrics">Its test metrics.</param>
/// <param name="Validation">The validation verdict, if validators ran.</param>
/// <param name="Seed">The pipeline's seed.</param>
public sealed record DeploymentContext(TrainedModel Model, EvaluationResult TestMetrics, ValidationResult? Validation, int Seed)
{
    /// <summary>Metrics on the training part, when known.</summary>
    public EvaluationResult? TrainingMetrics { get; init; }

    /// <summary>Metrics on the validation part, when the split has one.</summary>
    public EvaluationResult? ValidationMetrics { get; init; }

    /// <summary>The training part (its text columns give the categories a manifest records), when known.</summary>
    public Microsoft.ML.IDataView? TrainingData { get; init; }

    /// <summary>The SHA-256 fingerprint of the training data (<see cref="Data.DataFingerprint"/>), when known.</summary>
    public string? DataFingerprint { get; init; }

    /// <summary>The snapshots of the data the run read, when it kept any (<c>SnapshotTo(...)</c>).</summary>
    public IReadOnlyList<Extraction.Snapshots.DataSnapshot> DataSnapshots { get; init; } = [];
}

/// <summary>Where a model went.</summary>
/// <param name="Key">The key in the store.</param>
/// <param name="Location">A human-readable location (a path or URI).</param>
/// <param name="Sha256">The SHA-256 of the model file, lowercase hex.</param>
/// <param name="Bytes">The size of the model file.</param>
public sealed record DeploymentResult(string Key, string Location, string Sha256, long Bytes)
{
    /// <summary>The registry version published, for registry deployments.</summary>
    public int? Version { get; init; }

    /// <summary>The alias the version was promoted to, when it was.</summary>
    public string? PromotedTo { get; init; }

    /// <summary>Why the version was not promoted, when promotion was asked for and refused.</summary>
    public string? PromotionSkippedReason { get; init; }
}
