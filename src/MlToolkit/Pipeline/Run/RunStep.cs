namespace MlToolkit.Pipeline.Run;

/// <summary>
/// One stage of a run: it reads what earlier steps left in the <see cref="RunContext"/> and leaves its own results there.
/// A step lives beside its feature (the split in <c>Preparation/Split</c>, the search in <c>Training/Search</c>…); the
/// order of a run is <see cref="RunSteps"/>. Adding a stage is adding a step and one line there.
/// </summary>
internal abstract class RunStep
{
    /// <summary>The stage the step reports as.</summary>
    public abstract PipelineStage Stage { get; }

    /// <summary>Whether the pipeline has this step at all: such steps count in the progress's stage count.</summary>
    public virtual bool IsPartOf(PipelineDefinition definition) => true;

    /// <summary>
    /// Decided at run time, just before the step would start: <see langword="false"/> passes the step over without a progress
    /// report or a timing (deployment after failed gates). A step may record why in the context.
    /// </summary>
    public virtual bool ShouldRun(RunContext run) => true;

    /// <summary>Whether a cancellation during the step throws when it ends (a search keeps its best so far instead).</summary>
    public virtual bool ThrowsWhenCancelled => true;

    /// <summary>What the step does, for <see cref="TrainingPipeline.Describe"/>.</summary>
    public abstract IEnumerable<StageDescription> Describe(PipelineDefinition definition);

    /// <summary>The progress message when the step starts.</summary>
    public abstract string Message(RunContext run);

    /// <summary>Runs the step.</summary>
    public abstract Task RunAsync(RunContext run);
}
