using MlToolkit.Internal;
using MlToolkit.Pipeline;
using MlToolkit.Pipeline.Run;
using MlToolkit.Validation;

namespace MlToolkit.Evaluation;

/// <summary>Permutation importance of the raw input columns on the test rows (<c>ExplainFeatures(...)</c>): <see cref="RunContext.FeatureImportance"/>.</summary>
internal sealed class ExplanationStep : RunStep
{
    public override PipelineStage Stage => PipelineStage.Explanation;

    public override bool IsPartOf(PipelineDefinition definition) => definition.Explanation is not null;

    public override IEnumerable<StageDescription> Describe(PipelineDefinition d)
    {
        ExplanationOptions explanation = d.Explanation!;
        yield return new StageDescription(PipelineStage.Explanation, "PermutationImportance", FormattableString.Invariant($"{explanation.Repeats} repeats, metric {explanation.Metric ?? FitDiagnosisValidator.DefaultMetric(d.Task)}"));
    }

    public override string Message(RunContext run) => $"Permuting {run.Model.InputSchema.Count} input columns {run.Definition.Explanation!.Repeats} times";

    public override async Task RunAsync(RunContext run)
    {
        PipelineDefinition d = run.Definition;
        ExplanationOptions explanation = d.Explanation!;
        string metric = explanation.Metric ?? FitDiagnosisValidator.DefaultMetric(d.Task);
        run.FeatureImportance = await DedicatedThread.RunAsync(() => PermutationImportance.Compute(d, run.Model, run.Rows.Test, metric, explanation.Repeats, d.Seed, run.Cancellation), run.Cancellation).ConfigureAwait(false);
    }
}
