using MlToolkit.Pipeline;
using MlToolkit.Pipeline.Run;

namespace MlToolkit.Validation;

/// <summary>
/// Stage 7: every validator (gates, fit diagnosis, comparison with production) on the validation rows (the test rows when
/// there are none): <see cref="RunContext.Verdict"/>.
/// </summary>
internal sealed class ValidationStep : RunStep
{
    public override PipelineStage Stage => PipelineStage.Validation;

    public override bool IsPartOf(PipelineDefinition definition) => definition.Validators.Count > 0;

    public override IEnumerable<StageDescription> Describe(PipelineDefinition d)
        => d.Validators.Select(v => new StageDescription(PipelineStage.Validation, v.GetType().Name, v.ToString() ?? string.Empty));

    public override string Message(RunContext run) => "Validating";

    public override async Task RunAsync(RunContext run)
    {
        var gates = new List<GateResult>();
        FitDiagnosis? diagnosis = null;
        bool hasValidation = run.Rows.Validation.RowCount > 0;
        var context = new ValidationContext(run.Model, run.TestMetrics, run.ValidationMetrics, () => run.TrainingMetrics.Value)
        {
            HeldOutData = hasValidation ? run.Rows.Validation : run.Rows.Test,
            TrainingData = run.Rows.Training,
            HeldOutName = hasValidation ? "validation" : "test",
            Evaluator = run.Definition.Evaluator,
            CrossValidation = run.CrossValidation,
        };
        foreach (IModelValidator validator in run.Definition.Validators)
        {
            ValidationResult result = await validator.ValidateAsync(context, run.Cancellation).ConfigureAwait(false);
            gates.AddRange(result.Gates);
            diagnosis ??= result.Diagnosis;
            if (!result.Passed && result.Gates.All(g => g.Passed))
            {
                gates.Add(new GateResult(validator.GetType().Name, false, double.NaN, double.NaN, "The validator failed without naming a gate."));
            }
        }

        run.Verdict = new ValidationResult(gates.All(g => g.Passed), gates) { Diagnosis = diagnosis };
    }
}
