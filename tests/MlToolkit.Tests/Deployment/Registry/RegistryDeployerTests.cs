using MlToolkit.Deployment;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using static MlToolkit.Tests.Deployment.Registry.RegistryTestKit;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Deployment.Registry;

public class RegistryDeployerTests(TrainedModelsFixture f) : IClassFixture<TrainedModelsFixture>
{
    private sealed record Setup(TempFolder Folder, LocalArtifactStore Store, ModelRegistry Registry) : IDisposable
    {
        public void Dispose() => Folder.Dispose();
    }

    private static Setup Create()
    {
        TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        return new Setup(folder, store, new ModelRegistry(store, Name));
    }

    private PipelineBuilder Builder() => TrainedModelsFixture.Builder(f.TrainCsv, f.TestCsv, Trainers.Binary.LightGbm(numberOfIterations: 10));

    [Fact]
    public async Task RunAsync_PassingGate_PublishesVersionOneAndPromotesIt()
    {
        using Setup s = Create();

        PipelineResult result = await Builder().Validate(v => v.AtLeast(Metric.Auc, 0.5)).PublishTo(s.Registry, promoteTo: "production").Build().RunAsync(cancellationToken: Ct);

        Assert.True(result.Validation!.Passed);
        Assert.Null(result.DeploymentSkippedReason);
        DeploymentResult deployment = Assert.Single(result.Deployments);
        Assert.Equal(1, deployment.Version);
        Assert.Equal("production", deployment.PromotedTo);
        Assert.Null(deployment.PromotionSkippedReason);
        ModelManifest manifest = await s.Registry.GetManifestAsync(1, Ct);
        Assert.Equal(manifest.ModelKey, deployment.Key);
        Assert.Equal(manifest.Sha256, deployment.Sha256);
        Assert.Equal(manifest.Bytes, deployment.Bytes);
        Assert.Equal(s.Store.GetPath(manifest.ModelKey), result.ModelLocation);
        ModelAlias alias = (await s.Registry.GetAliasAsync("production", Ct))!;
        Assert.Equal(1, alias.Version);
        Assert.Empty(alias.History);
    }

    [Fact]
    public async Task RunAsync_FailingGate_DoesNotDeployAtAll()
    {
        using Setup s = Create();

        PipelineResult result = await Builder().Validate(v => v.AtLeast(Metric.Auc, 0.9999)).PublishTo(s.Registry).Build().RunAsync(cancellationToken: Ct);

        Assert.False(result.Validation!.Passed);
        Assert.Empty(result.Deployments);
        Assert.NotNull(result.DeploymentSkippedReason);
        Assert.StartsWith("Validation failed: auc >= 0.9999: ", result.DeploymentSkippedReason, StringComparison.Ordinal);
        Assert.Empty(await s.Registry.ListVersionsAsync(Ct));
        Assert.Null(await s.Registry.GetAliasAsync("production", Ct));
        Assert.False(Directory.Exists(Path.Combine(s.Folder.Path, Name)));
    }

    [Fact]
    public async Task RunAsync_FailingGateWithForceDeployment_PublishesButDoesNotPromote()
    {
        using Setup s = Create();

        PipelineResult result = await Builder().Validate(v => v.AtLeast(Metric.Auc, 0.9999)).PublishTo(s.Registry).ForceDeployment().Build().RunAsync(cancellationToken: Ct);

        Assert.False(result.Validation!.Passed);
        Assert.Null(result.DeploymentSkippedReason);
        DeploymentResult deployment = Assert.Single(result.Deployments);
        Assert.Equal(1, deployment.Version);
        Assert.Null(deployment.PromotedTo);
        Assert.Equal("not promoted to 'production': validation failed", deployment.PromotionSkippedReason);
        Assert.Null(await s.Registry.GetAliasAsync("production", Ct));
        ModelManifest manifest = await s.Registry.GetManifestAsync(1, Ct);
        Assert.False(manifest.Validation!.Passed);
        Assert.False(Assert.Single(manifest.Validation.Gates).Passed);

        // The registry still refuses to promote it without force.
        await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.SetAliasAsync("production", 1, cancellationToken: Ct));
    }

    [Fact]
    public async Task RunAsync_FailingGateWithForceDeploymentAndForcePromotion_PublishesAndPromotes()
    {
        using Setup s = Create();

        PipelineResult result = await Builder().Validate(v => v.AtLeast(Metric.Auc, 0.9999)).PublishTo(s.Registry, forcePromotion: true).ForceDeployment().Build().RunAsync(cancellationToken: Ct);

        DeploymentResult deployment = Assert.Single(result.Deployments);
        Assert.Equal(1, deployment.Version);
        Assert.Equal("production", deployment.PromotedTo);
        Assert.Null(deployment.PromotionSkippedReason);
        Assert.Equal(1, (await s.Registry.GetAliasAsync("production", Ct))!.Version);
    }

    [Fact]
    public async Task RunAsync_NoValidator_PublishesButDoesNotPromote()
    {
        using Setup s = Create();

        PipelineResult result = await Builder().PublishTo(s.Registry).Build().RunAsync(cancellationToken: Ct);

        Assert.Null(result.Validation);
        DeploymentResult deployment = Assert.Single(result.Deployments);
        Assert.Equal(1, deployment.Version);
        Assert.Null(deployment.PromotedTo);
        Assert.Equal("not promoted to 'production': no validation ran (add gates, or force promotion)", deployment.PromotionSkippedReason);
        Assert.Null(await s.Registry.GetAliasAsync("production", Ct));
        Assert.Null((await s.Registry.GetManifestAsync(1, Ct)).Validation);
    }

    [Fact]
    public async Task DeployAsync_PromoteToNull_PublishesWithoutPromotionOrReason()
    {
        using Setup s = Create();

        DeploymentResult deployment = await new RegistryDeployer(s.Registry, promoteTo: null).DeployAsync(f.ContextA, Ct);

        Assert.Equal(1, deployment.Version);
        Assert.Null(deployment.PromotedTo);
        Assert.Null(deployment.PromotionSkippedReason);
        Assert.Empty(await s.Registry.ListAliasesAsync(Ct));
    }

    [Fact]
    public async Task DeployAsync_SecondValidatedVersion_MovesTheAliasKeepingHistory()
    {
        using Setup s = Create();
        var deployer = new RegistryDeployer(s.Registry);

        DeploymentResult first = await deployer.DeployAsync(f.ContextA, Ct);
        DeploymentResult second = await deployer.DeployAsync(f.ContextB, Ct);

        Assert.Equal((1, "production"), (first.Version, first.PromotedTo));
        Assert.Equal((2, "production"), (second.Version, second.PromotedTo));
        ModelAlias alias = (await s.Registry.GetAliasAsync("production", Ct))!;
        Assert.Equal(2, alias.Version);
        Assert.Equal([1], alias.History);
        Assert.Equal("Registry(churn → production)", deployer.ToString());
    }
}
