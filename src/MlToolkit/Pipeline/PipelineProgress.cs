namespace MlToolkit.Pipeline;

/// <summary>Progress of a pipeline run, reported when each stage starts and ends.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="StageNumber">The 1-based number of the stage in this run.</param>
/// <param name="StageCount">How many stages the run has.</param>
/// <param name="Completed">Whether the stage has just finished (otherwise it has just started).</param>
/// <param name="Message">What is happening, for people.</param>
public sealed record PipelineProgress(PipelineStage Stage, int StageNumber, int StageCount, bool Completed, string Message)
{
    /// <summary>Within a stage made of steps (the folds of a cross-validation), how many are done; 0 otherwise.</summary>
    /// <value>The default value is 0.</value>
    public int Step { get; init; }

    /// <summary>Within a stage made of steps, how many there are; 0 when the stage has none.</summary>
    /// <value>The default value is 0.</value>
    public int StepCount { get; init; }

    /// <summary>The fraction of the run done, from 0 to 1, counting the steps done within the current stage.</summary>
    public double Fraction => Completed
        ? StageNumber / (double)StageCount
        : (StageNumber - 1 + (StepCount > 0 ? Step / (double)StepCount : 0)) / StageCount;
}

/// <summary>How long a stage took.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Duration">The elapsed time.</param>
public sealed record StageTiming(PipelineStage Stage, TimeSpan Duration);

/// <summary>One stage of a pipeline as <see cref="TrainingPipeline.Describe"/> lists it.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Name">The component's name.</param>
/// <param name="Details">Its settings.</param>
public sealed record StageDescription(PipelineStage Stage, string Name, string Details)
{
    /// <inheritdoc />
    public override string ToString() => Details.Length == 0 ? $"{Stage}: {Name}" : $"{Stage}: {Name} ({Details})";
}
