using MlToolkit.Data;
using MlToolkit.Internal;
using MlToolkit.Pipeline;
using MlToolkit.Pipeline.Run;

namespace MlToolkit.Deployment;

/// <summary>
/// Stage 8: every deployer, in order, when the validation passed (or deployment is forced): <see cref="RunContext.Deployments"/>.
/// After failed gates the stage is passed over and <see cref="RunContext.DeploymentSkippedReason"/> says why.
/// </summary>
internal sealed class DeploymentStep : RunStep
{
    public override PipelineStage Stage => PipelineStage.Deployment;

    public override bool IsPartOf(PipelineDefinition definition) => definition.Deployers.Count > 0;

    public override bool ShouldRun(RunContext run)
    {
        if (run.Verdict is not { Passed: false } verdict)
        {
            return true;
        }

        string reasons = string.Join("; ", verdict.Gates.Where(g => !g.Passed).Select(g => $"{g.Name}: {g.Reason}"));
        if (run.Definition.ForceDeployment)
        {
            Diagnostics.DeploymentForced(run.Logger, reasons);
            return true;
        }

        run.DeploymentSkippedReason = $"Validation failed: {reasons}";
        Diagnostics.DeploymentSkipped(run.Logger, reasons);
        return false;
    }

    public override IEnumerable<StageDescription> Describe(PipelineDefinition d)
        => d.Deployers.Select(x => new StageDescription(PipelineStage.Deployment, x.GetType().Name, x.ToString() ?? string.Empty));

    public override string Message(RunContext run) => "Deploying";

    public override async Task RunAsync(RunContext run)
    {
        string? fingerprint = null;
        foreach (IDeployer deployer in run.Definition.Deployers)
        {
            run.Cancellation.ThrowIfCancellationRequested();
            var context = new DeploymentContext(run.Model, run.TestMetrics, run.Verdict, run.Definition.Seed)
            {
                TrainingMetrics = run.TrainingMetrics.Value,
                ValidationMetrics = run.ValidationMetrics,
                TrainingData = run.Rows.Training,
                DataFingerprint = fingerprint ??= DataFingerprint.Compute(run.Rows.Training),
                DataSnapshots = run.Snapshots,
            };
            DeploymentResult result = await deployer.DeployAsync(context, run.Cancellation).ConfigureAwait(false);
            Diagnostics.Deployed(run.Logger, result.Location, result.Bytes, result.Sha256);
            run.Deployments.Add(result);
        }
    }
}
