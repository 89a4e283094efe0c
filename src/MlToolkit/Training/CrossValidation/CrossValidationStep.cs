using MlToolkit.Data;
using MlToolkit.Pipeline;
using MlToolkit.Pipeline.Run;
using MlToolkit.Preparation.Split;

namespace MlToolkit.Training.CrossValidation;

/// <summary>
/// k-fold cross-validation of the preparation and trainer (the search's winner when there is one) on the training rows only
/// (<c>CrossValidate(...)</c>), or on every row with <c>onAllRows</c> (<see cref="TrainingPipeline.CrossValidateAsync"/>):
/// <see cref="RunContext.CrossValidation"/>.
/// </summary>
internal sealed class CrossValidationStep(bool onAllRows = false) : RunStep
{
    public override PipelineStage Stage => PipelineStage.CrossValidation;

    public override bool IsPartOf(PipelineDefinition definition) => onAllRows || definition.CrossValidation is not null;

    public override IEnumerable<StageDescription> Describe(PipelineDefinition d)
    {
        CrossValidationOptions cv = d.CrossValidation!;
        yield return new StageDescription(PipelineStage.CrossValidation, "CrossValidator", FormattableString.Invariant($"{cv.Folds} folds, {d.ResolvedFoldStrategy}, parallel {cv.MaxDegreeOfParallelism}") + (d.ResolvedFoldStrategy == SplitStrategy.Grouped ? $", group '{d.Split.GroupColumn}'" : string.Empty));
    }

    public override string Message(RunContext run)
        => onAllRows ? $"Cross-validating on {run.Table.RowCount} rows" : $"Cross-validating on {run.Rows.TrainingRaw.RowCount} training rows";

    public override async Task RunAsync(RunContext run)
    {
        CrossValidationOptions options = run.Definition.CrossValidation ?? new CrossValidationOptions();
        var validator = new CrossValidator(run.Definition, options, run.Trainer, run.Logger, (done, message) => run.ReportStep(PipelineStage.CrossValidation, done, options.Folds, message));
        DataTable rows = onAllRows ? run.Table : run.Rows.TrainingRaw;
        run.CrossValidation = await validator.RunAsync(rows, run.Cancellation).ConfigureAwait(false);
    }
}
