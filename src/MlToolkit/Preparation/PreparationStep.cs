using Microsoft.ML;
using MlToolkit.Pipeline;
using MlToolkit.Pipeline.Run;

namespace MlToolkit.Preparation;

/// <summary>
/// Stage 4: the preparation, fitted on the training rows only (<see cref="RunContext.Preparation"/>), the prepared training
/// rows cached for multi-pass trainers (<see cref="RunContext.Prepared"/>), and the trainer's estimator; a trainer that stops
/// early gets the validation part, prepared by the preparation fitted here.
/// </summary>
internal sealed class PreparationStep : RunStep
{
    public override PipelineStage Stage => PipelineStage.Preparation;

    public override IEnumerable<StageDescription> Describe(PipelineDefinition d)
        => d.Preprocessors.Select(p => new StageDescription(PipelineStage.Preparation, p.Name, string.Empty));

    public override string Message(RunContext run) => $"Preparing {run.Rows.Training.RowCount} training rows";

    public override async Task RunAsync(RunContext run)
    {
        RowsByRole rows = run.Rows;
        MLContext ml = run.ML;
        ITransformer? fittedPreparation = null;
        Func<IDataView>? earlyStopping = rows.Validation.RowCount > 0 && run.Trainer.StopsEarly ? () => ml.Data.Cache(fittedPreparation!.Transform(rows.Validation)) : null;
        (IEstimator<ITransformer> preparation, IEstimator<ITransformer> trainer) = PipelineFitter.Compose(run.Definition, ml, rows.Training, run.Source, run.Trainer, earlyStopping);
        ITransformer fitted = await run.FitAsync(PipelineStage.Preparation, "Fitting the preparation", () => preparation.Fit(rows.Training)).ConfigureAwait(false);
        fittedPreparation = fitted;

        // Cached so that multi-pass trainers do not recompute the preparation on every pass.
        run.Preparation = fitted;
        run.Prepared = ml.Data.Cache(fitted.Transform(rows.Training));
        run.TrainerEstimator = trainer;
    }
}
