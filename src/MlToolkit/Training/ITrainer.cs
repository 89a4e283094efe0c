using Microsoft.ML;

namespace MlToolkit.Training;

/// <summary>
/// Stage 4 of a pipeline: a model specification. It creates the unfitted ML.NET estimator that the pipeline
/// fits on the prepared training split. Derive from <see cref="TrainerBase"/>; use <see cref="Trainers"/> for the built-ins.
/// </summary>
public interface ITrainer
{
    /// <summary>A short name such as <c>LightGbm</c>, for <c>Describe()</c>, logs and results.</summary>
    string Name { get; }

    /// <summary>The task this trainer solves.</summary>
    MlTask Task { get; }

    /// <summary>Creates the unfitted estimator that reads <see cref="TrainingContext.FeatureColumn"/> and <see cref="TrainingContext.LabelColumn"/>.</summary>
    /// <param name="context">The columns, seed and ML.NET context.</param>
    /// <returns>The estimator.</returns>
    IEstimator<ITransformer> CreateEstimator(TrainingContext context);
}

/// <summary>What a trainer knows when it creates its estimator.</summary>
/// <param name="MLContext">The run's ML.NET context (seeded with the pipeline's seed).</param>
/// <param name="LabelColumn">The label column: boolean for binary, a key for multiclass, a number for regression.</param>
/// <param name="FeatureColumn">The feature vector column.</param>
/// <param name="Seed">The pipeline's seed.</param>
public sealed record TrainingContext(MLContext MLContext, string LabelColumn, string FeatureColumn, int Seed);

/// <summary>Shared plumbing for trainers: a name, a task and a <see cref="ToString"/> that reads well.</summary>
public abstract class TrainerBase : ITrainer
{
    /// <summary>Creates the trainer.</summary>
    /// <param name="name">Its name.</param>
    /// <param name="task">Its task.</param>
    protected TrainerBase(string name, MlTask task)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Task = task;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public MlTask Task { get; }

    /// <inheritdoc />
    public abstract IEstimator<ITransformer> CreateEstimator(TrainingContext context);

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Task})";
}

/// <summary>A trainer built from a delegate; what the <see cref="Trainers"/> catalog returns.</summary>
public sealed class DelegateTrainer : TrainerBase
{
    private readonly Func<TrainingContext, IEstimator<ITransformer>> _create;

    /// <summary>Creates the trainer.</summary>
    /// <param name="name">Its name.</param>
    /// <param name="task">Its task.</param>
    /// <param name="create">Creates the estimator.</param>
    public DelegateTrainer(string name, MlTask task, Func<TrainingContext, IEstimator<ITransformer>> create)
        : base(name, task)
    {
        _create = create ?? throw new ArgumentNullException(nameof(create));
    }

    /// <inheritdoc />
    public override IEstimator<ITransformer> CreateEstimator(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _create(context);
    }
}
