using MlToolkit.Data;
using MlToolkit.Internal;
using MlToolkit.Pipeline;
using MlToolkit.Pipeline.Run;

namespace MlToolkit.Evaluation;

/// <summary>
/// Stage 6: metrics on the test rows (<see cref="RunContext.TestMetrics"/>) and the validation rows; metrics on the training
/// rows are computed on first use only (<see cref="RunContext.TrainingMetrics"/>), so a plain run does not pay for scoring them.
/// </summary>
internal sealed class EvaluationStep : RunStep
{
    public override PipelineStage Stage => PipelineStage.Evaluation;

    public override IEnumerable<StageDescription> Describe(PipelineDefinition d)
    {
        yield return new StageDescription(PipelineStage.Evaluation, d.Evaluator.GetType().Name, string.Empty);
    }

    public override string Message(RunContext run) => $"Evaluating on {run.Rows.Test.RowCount} rows";

    public override Task RunAsync(RunContext run)
    {
        RowsByRole rows = run.Rows;
        EvaluationResult Evaluate(DataTable data, string name) => PipelineFitter.Evaluate(run.Definition, run.Model, data, name, run.Source);

        EvaluationResult test = Evaluate(rows.Test, "test");
        Diagnostics.Metrics(run.Logger, string.Join(", ", test.Metrics.Select(m => FormattableString.Invariant($"{m.Key}={m.Value:G4}"))));
        run.TestMetrics = test;
        run.TrainingMetrics = new Lazy<EvaluationResult>(() => Evaluate(rows.Training, "training"), LazyThreadSafetyMode.ExecutionAndPublication);
        run.ValidationMetrics = rows.Validation.RowCount > 0 ? Evaluate(rows.Validation, "validation") : null;
        return Task.CompletedTask;
    }
}
