using MlToolkit.Data;
using MlToolkit.Internal;
using MlToolkit.Pipeline;
using MlToolkit.Pipeline.Run;
using MlToolkit.Validation;

namespace MlToolkit.Training;

/// <summary>
/// The learning curve (<c>LearningCurve(...)</c>): the same preparation and trainer on growing shares of the training rows,
/// judged on the validation rows (the test rows when there are none): <see cref="RunContext.LearningCurve"/>.
/// </summary>
internal sealed class LearningCurveStep : RunStep
{
    public override PipelineStage Stage => PipelineStage.LearningCurve;

    public override bool IsPartOf(PipelineDefinition definition) => definition.LearningCurve is not null;

    public override IEnumerable<StageDescription> Describe(PipelineDefinition d)
    {
        LearningCurveOptions curve = d.LearningCurve!;
        yield return new StageDescription(PipelineStage.LearningCurve, "LearningCurve", FormattableString.Invariant($"{curve.Points} sizes, metric {curve.Metric ?? FitDiagnosisValidator.DefaultMetric(d.Task)}"));
    }

    public override string Message(RunContext run) => $"Learning curve: {run.Definition.LearningCurve!.Points} training sizes";

    public override async Task RunAsync(RunContext run)
    {
        PipelineDefinition d = run.Definition;
        LearningCurveOptions options = d.LearningCurve!;
        string metric = options.Metric ?? FitDiagnosisValidator.DefaultMetric(d.Task);
        RowsByRole rows = run.Rows;
        (DataTable heldOut, string heldOutName) = rows.ValidationRaw.RowCount > 0 ? (rows.ValidationRaw, "validation") : (rows.TestRaw, "test");
        run.LearningCurve = await DedicatedThread.RunAsync(() => LearningCurves.Compute(d, run.Trainer, rows.TrainingRaw, heldOut, heldOutName, metric, options.Points, run.Cancellation), run.Cancellation).ConfigureAwait(false);
    }
}
