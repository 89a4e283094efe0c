using MlToolkit.Data;
using MlToolkit.Pipeline;
using MlToolkit.Pipeline.Run;
using MlToolkit.Validation;

namespace MlToolkit.Training.Search;

/// <summary>
/// The hyperparameter search (<c>Tune(...)</c>): on the training rows, judged on the validation part or on rows held out of
/// training; its winner becomes <see cref="RunContext.Trainer"/>. <see cref="RunContext.StopSearch"/> ends it with the best
/// trial so far and the run goes on; the run's token cancels the run once the running trials finish. With
/// <c>onAllRows</c> (<see cref="TrainingPipeline.TuneAsync"/>) it searches every row and a cancellation keeps the best so far.
/// </summary>
internal sealed class TuningStep(bool onAllRows = false) : RunStep
{
    public override PipelineStage Stage => PipelineStage.Tuning;

    public override bool IsPartOf(PipelineDefinition definition) => definition.Search is not null;

    public override bool ThrowsWhenCancelled => !onAllRows;

    public override IEnumerable<StageDescription> Describe(PipelineDefinition d)
    {
        SearchPlan search = d.Search!;
        yield return new StageDescription(PipelineStage.Tuning, "HyperparameterSearch", FormattableString.Invariant($"{search.Options.Strategy}, {search.Options.MaxTrials} trials, {string.Join(" + ", search.Spaces.Select(x => x.TrainerName))}, metric {search.Options.Metric ?? FitDiagnosisValidator.DefaultMetric(d.Task)}"));
    }

    public override string Message(RunContext run)
        => onAllRows ? $"Searching on {run.Table.RowCount} rows" : $"Searching {run.Definition.Search!.Options.MaxTrials} configurations ({run.Definition.Search!.Options.Strategy})";

    public override async Task RunAsync(RunContext run)
    {
        PipelineDefinition d = run.Definition;
        SearchPlan plan = d.Search!;
        var search = new HyperparameterSearch(d, plan, run.Logger, (done, total, message) => run.ReportStep(PipelineStage.Tuning, done, total, message));
        if (onAllRows)
        {
            run.Tuning = await search.RunAsync(run.Table, null, run.Cancellation, run.Cancellation).ConfigureAwait(false);
            return;
        }

        SearchResult tuning = await search.RunAsync(run.Rows.TrainingRaw, run.Rows.ValidationRaw, run.StopSearch, run.Cancellation).ConfigureAwait(false);
        run.Tuning = tuning;
        if (tuning.Cancelled)
        {
            run.Cancellation.ThrowIfCancellationRequested();
        }

        run.Trainer = tuning switch
        {
            { Best: not null } => tuning.CreateBestTrainer(),
            { StoppedEarly: true, Trials.Count: 0 } => throw new MlToolkitException(PipelineStage.Tuning, run.Source, "The search was stopped before its first trial started (PipelineRunOptions.StopSearch), so there is no best configuration to train: nothing was trained or deployed. Stop the search once a trial has finished (the progress reports each one), or cancel the run instead."),
            _ => throw new MlToolkitException(PipelineStage.Tuning, run.Source, $"No configuration of the search could be trained ({tuning.Trials.Count} tried{(tuning.StoppedEarly ? " before the search was stopped" : string.Empty)}); the log says why each failed."),
        };
    }
}
