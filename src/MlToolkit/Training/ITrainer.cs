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

    /// <summary>
    /// Whether the trainer stops early on the validation rows (<see cref="TrainingContext.ValidationData"/>), such as LightGBM
    /// with <c>EarlyStoppingRound</c> above 0. A pipeline whose trainer stops early needs a validation part
    /// (<c>Split(validation: …)</c> or <c>ValidateOn(…)</c>); <c>Build()</c> says so otherwise.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    bool StopsEarly => false;
}

/// <summary>What a trainer knows when it creates its estimator.</summary>
/// <param name="MLContext">The run's ML.NET context (seeded with the pipeline's seed).</param>
/// <param name="LabelColumn">The label column: boolean for binary, a key for multiclass, a number for regression.</param>
/// <param name="FeatureColumn">The feature vector column.</param>
/// <param name="Seed">The pipeline's seed.</param>
public sealed record TrainingContext(MLContext MLContext, string LabelColumn, string FeatureColumn, int Seed)
{
    /// <summary>
    /// Gives the held-out rows, prepared like the training data, for a trainer that stops early on them; <see langword="null"/>
    /// when the fit has none (a cross-validation fold, or a pipeline without a validation part). Called when the estimator is
    /// fitted, not when it is created.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Func<IDataView>? ValidationData { get; init; }
}

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
    public virtual bool StopsEarly => false;

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
    /// <param name="stopsEarly">Whether the estimator stops early on <see cref="TrainingContext.ValidationData"/>.</param>
    public DelegateTrainer(string name, MlTask task, Func<TrainingContext, IEstimator<ITransformer>> create, bool stopsEarly = false)
        : base(name, task)
    {
        _create = create ?? throw new ArgumentNullException(nameof(create));
        StopsEarly = stopsEarly;
    }

    /// <inheritdoc />
    public override bool StopsEarly { get; }

    /// <inheritdoc />
    public override IEstimator<ITransformer> CreateEstimator(TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _create(context);
    }
}
