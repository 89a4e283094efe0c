using Microsoft.ML;
using MlToolkit.Pipeline;
using MlToolkit.Pipeline.Run;

namespace MlToolkit.Training;

/// <summary>Stage 5: the trainer fitted on the prepared training rows, wrapped with the preparation into <see cref="RunContext.Model"/>.</summary>
internal sealed class TrainingStep : RunStep
{
    public override PipelineStage Stage => PipelineStage.Training;

    public override IEnumerable<StageDescription> Describe(PipelineDefinition d)
    {
        yield return new StageDescription(PipelineStage.Training, d.Trainer.Name, d.Task.ToString());
    }

    public override string Message(RunContext run) => $"Training {run.Trainer.Name} on {run.Rows.Training.RowCount} rows";

    public override async Task RunAsync(RunContext run)
    {
        ITransformer trainer = await run.FitAsync(PipelineStage.Training, Message(run), () => run.TrainerEstimator.Fit(run.Prepared)).ConfigureAwait(false);
        run.Model = PipelineFitter.CreateModel(run.Definition, run.ML, run.Preparation, trainer, run.Rows.Training, run.Rows.Labels, run.Trainer.Name);
    }
}
