using MlToolkit.Deployment.Registry;
using MlToolkit.Storage;
using static MlToolkit.Tests.Deployment.Registry.RegistryTestKit;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Deployment.Registry;

public class ModelRegistryAliasTests(TrainedModelsFixture f) : IClassFixture<TrainedModelsFixture>
{
    private sealed record Setup(TempFolder Folder, LocalArtifactStore Store, ModelRegistry Registry, FixedTimeProvider Clock) : IDisposable
    {
        public void Dispose() => Folder.Dispose();
    }

    private static Setup Create()
    {
        TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        var clock = new FixedTimeProvider(Now);
        return new Setup(folder, store, new ModelRegistry(store, Name, clock), clock);
    }

    [Fact]
    public async Task SetAliasAsync_ValidatedVersion_PointsAtItWithTimeAndNoHistory()
    {
        using Setup s = Create();
        await s.Registry.PublishAsync(f.ContextA, Ct);

        ModelAlias alias = await s.Registry.SetAliasAsync("production", 1, cancellationToken: Ct);

        Assert.Equal(new ModelAlias("production", 1, alias.History, Now), alias);
        Assert.Empty(alias.History);
        ModelAlias stored = (await s.Registry.GetAliasAsync("production", Ct))!;
        Assert.Equal(("production", 1, Now), (stored.Alias, stored.Version, stored.UpdatedAt));
        Assert.Empty(stored.History);
        Assert.Equal(["production"], (await s.Registry.ListAliasesAsync(Ct)).Select(a => a.Alias));
    }

    [Fact]
    public async Task SetAliasAsync_FailedValidation_ThrowsWithTheFailedGateAndLeavesAliasUnset()
    {
        using Setup s = Create();
        await s.Registry.PublishAsync(f.FailedA, Ct);

        ModelRegistryException ex = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.SetAliasAsync("production", 1, cancellationToken: Ct));

        Assert.Equal(Name, ex.Model);
        Assert.Equal(1, ex.Version);
        Assert.StartsWith("cannot be promoted to 'production' because it failed validation: auc >= 0.99: auc is 0.8 on the test data, below 0.99.", ex.Reason, StringComparison.Ordinal);
        Assert.EndsWith(" Pass force: true to promote it anyway.", ex.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"Model '{Name}' version 1: cannot be promoted", ex.Message, StringComparison.Ordinal);
        Assert.Null(await s.Registry.GetAliasAsync("production", Ct));
    }

    [Fact]
    public async Task SetAliasAsync_NoValidation_ThrowsSayingItWasNeverValidated()
    {
        using Setup s = Create();
        await s.Registry.PublishAsync(f.UnvalidatedA, Ct);

        ModelRegistryException ex = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.SetAliasAsync("production", 1, cancellationToken: Ct));

        Assert.Equal(1, ex.Version);
        Assert.Equal("cannot be promoted to 'production' because it was never validated. Pass force: true to promote it anyway.", ex.Reason);
        Assert.Null(await s.Registry.GetAliasAsync("production", Ct));
    }

    [Fact]
    public async Task SetAliasAsync_FailedOrUnvalidatedWithForce_Promotes()
    {
        using Setup s = Create();
        await s.Registry.PublishAsync(f.FailedA, Ct);
        await s.Registry.PublishAsync(f.UnvalidatedA, Ct);

        ModelAlias first = await s.Registry.SetAliasAsync("production", 1, force: true, cancellationToken: Ct);
        ModelAlias second = await s.Registry.SetAliasAsync("production", 2, force: true, cancellationToken: Ct);

        Assert.Equal(1, first.Version);
        Assert.Equal(2, second.Version);
        Assert.Equal([1], second.History);
        Assert.Equal(2, (await s.Registry.GetAliasAsync("production", Ct))!.Version);
    }

    [Fact]
    public async Task SetAliasAsync_MissingVersion_ThrowsNamingIt()
    {
        using Setup s = Create();
        await s.Registry.PublishAsync(f.ContextA, Ct);

        ModelRegistryException ex = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.SetAliasAsync("production", 5, cancellationToken: Ct));

        Assert.Equal(5, ex.Version);
        Assert.Equal("it does not exist.", ex.Reason);
        Assert.Null(await s.Registry.GetAliasAsync("production", Ct));
    }

    [Fact]
    public async Task SetAliasAsync_SameVersionAgain_HistoryUnchanged()
    {
        using Setup s = Create();
        await s.Registry.PublishAsync(f.ContextA, Ct);
        await s.Registry.PublishAsync(f.ContextB, Ct);
        await s.Registry.SetAliasAsync("production", 1, cancellationToken: Ct);
        await s.Registry.SetAliasAsync("production", 2, cancellationToken: Ct);

        s.Clock.Now = Now.AddHours(1);
        ModelAlias again = await s.Registry.SetAliasAsync("production", 2, cancellationToken: Ct);

        Assert.Equal(2, again.Version);
        Assert.Equal([1], again.History);
        Assert.Equal(Now, again.UpdatedAt);
    }

    [Fact]
    public async Task RollbackAsync_AfterThreePromotions_WalksBackThroughHistoryThenThrows()
    {
        using Setup s = Create();
        for (int i = 0; i < 3; i++)
        {
            await s.Registry.PublishAsync(i % 2 == 0 ? f.ContextA : f.ContextB, Ct);
        }

        await s.Registry.SetAliasAsync("production", 1, cancellationToken: Ct);
        await s.Registry.SetAliasAsync("production", 2, cancellationToken: Ct);
        ModelAlias top = await s.Registry.SetAliasAsync("production", 3, cancellationToken: Ct);
        Assert.Equal([1, 2], top.History);

        s.Clock.Now = Now.AddMinutes(5);
        ModelAlias back1 = await s.Registry.RollbackAsync("production", Ct);
        Assert.Equal(2, back1.Version);
        Assert.Equal([1], back1.History);
        Assert.Equal(Now.AddMinutes(5), back1.UpdatedAt);
        Assert.Equal(2, (await s.Registry.LoadAsync("production", Ct)).Manifest.Version);

        ModelAlias back2 = await s.Registry.RollbackAsync("production", Ct);
        Assert.Equal(1, back2.Version);
        Assert.Empty(back2.History);
        Assert.Equal(1, (await s.Registry.GetAliasAsync("production", Ct))!.Version);

        ModelRegistryException ex = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.RollbackAsync("production", Ct));
        Assert.Equal(1, ex.Version);
        Assert.Equal("alias 'production' has no earlier version to roll back to.", ex.Reason);
        Assert.Equal(1, (await s.Registry.GetAliasAsync("production", Ct))!.Version);
    }

    [Fact]
    public async Task RollbackAsync_PreviousVersionDeleted_ThrowsAndAliasStays()
    {
        using Setup s = Create();
        await s.Registry.PublishAsync(f.ContextA, Ct);
        await s.Registry.PublishAsync(f.ContextB, Ct);
        await s.Registry.SetAliasAsync("production", 1, cancellationToken: Ct);
        await s.Registry.SetAliasAsync("production", 2, cancellationToken: Ct);
        await s.Registry.DeleteVersionAsync(1, Ct); // only in the alias's history, so it may be deleted

        ModelRegistryException ex = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.RollbackAsync("production", Ct));

        Assert.Equal(1, ex.Version);
        Assert.Equal("it does not exist.", ex.Reason);
        ModelAlias alias = (await s.Registry.GetAliasAsync("production", Ct))!;
        Assert.Equal(2, alias.Version);
        Assert.Equal([1], alias.History);
    }

    [Fact]
    public async Task RollbackAsync_AliasNeverSet_ThrowsSayingItIsNotSet()
    {
        using Setup s = Create();
        await s.Registry.PublishAsync(f.ContextA, Ct);

        ModelRegistryException ex = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.RollbackAsync("production", Ct));

        Assert.Null(ex.Version);
        Assert.Equal(Name, ex.Model);
        Assert.Equal("alias 'production' is not set, so it cannot be rolled back.", ex.Reason);
    }

    [Fact]
    public async Task DeleteVersionAsync_AliasedVersion_ThrowsNamingTheAliasAndKeepsIt()
    {
        using Setup s = Create();
        await s.Registry.PublishAsync(f.ContextA, Ct);
        await s.Registry.PublishAsync(f.ContextB, Ct);
        await s.Registry.SetAliasAsync("production", 1, cancellationToken: Ct);
        await s.Registry.SetAliasAsync("staging", 2, cancellationToken: Ct);
        await s.Registry.SetAliasAsync("canary", 2, cancellationToken: Ct);

        ModelRegistryException one = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.DeleteVersionAsync(1, Ct));
        ModelRegistryException two = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.DeleteVersionAsync(2, Ct));

        Assert.Equal(1, one.Version);
        Assert.Equal("cannot be deleted while the alias 'production' points at it; move or roll back the alias first.", one.Reason);
        Assert.Equal(2, two.Version);
        Assert.Equal("cannot be deleted while the aliases 'canary', 'staging' point at it; move or roll back the alias first.", two.Reason);
        Assert.Equal([1, 2], (await s.Registry.ListVersionsAsync(Ct)).Select(m => m.Version));
        Assert.Equal(1, (await s.Registry.LoadAsync("production", Ct)).Manifest.Version);
    }

    [Fact]
    public async Task DeleteVersionAsync_UnaliasedVersions_RemovesManifestKeepsFilesUntilPruned()
    {
        using Setup s = Create();
        ModelManifest v1 = await s.Registry.PublishAsync(f.ContextA, Ct);
        ModelManifest v2 = await s.Registry.PublishAsync(f.ContextB, Ct);
        ModelManifest v3 = await s.Registry.PublishAsync(f.ContextA, Ct); // shares v1's model file
        await s.Registry.SetAliasAsync("production", 2, cancellationToken: Ct);
        string fileA = s.Store.GetPath(v1.ModelKey);
        Assert.Equal(v1.ModelKey, v3.ModelKey);

        await s.Registry.DeleteVersionAsync(3, Ct);

        Assert.False(File.Exists(s.Store.GetPath(VersionKey(3))));
        Assert.Equal([1, 2], (await s.Registry.ListVersionsAsync(Ct)).Select(m => m.Version));
        ModelRegistryException gone = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.LoadAsync(3, Ct));
        Assert.Equal("it does not exist.", gone.Reason);

        await s.Registry.DeleteVersionAsync(1, Ct);

        // Deleting never removes model files (a concurrent publish may be reusing one); pruning does.
        Assert.True(File.Exists(fileA));
        Assert.Equal([v1.ModelKey], await s.Registry.PruneModelFilesAsync(Ct));
        Assert.False(File.Exists(fileA));
        Assert.True(File.Exists(s.Store.GetPath(v2.ModelKey)));
        Assert.Equal([2], (await s.Registry.ListVersionsAsync(Ct)).Select(m => m.Version));
        Assert.Equal(2, (await s.Registry.LoadAsync("production", Ct)).Manifest.Version);

        // The numbers of deleted versions are never given again, even the highest one.
        Assert.Equal(4, (await s.Registry.PublishAsync(f.ContextA, Ct)).Version);
    }

    [Fact]
    public async Task PruneModelFilesAsync_UnreferencedFile_DeletesOnlyIt()
    {
        using Setup s = Create();
        ModelManifest v1 = await s.Registry.PublishAsync(f.ContextA, Ct);
        ModelManifest v2 = await s.Registry.PublishAsync(f.ContextB, Ct);
        await s.Registry.DeleteVersionAsync(1, Ct);

        IReadOnlyList<string> pruned = await s.Registry.PruneModelFilesAsync(Ct);

        Assert.Equal([v1.ModelKey], pruned);
        Assert.False(File.Exists(s.Store.GetPath(v1.ModelKey)));
        Assert.True(File.Exists(s.Store.GetPath(v2.ModelKey)));
        Assert.Empty(await s.Registry.PruneModelFilesAsync(Ct));
    }

    [Fact]
    public async Task DeleteVersionAsync_MissingVersion_ThrowsSayingItDoesNotExist()
    {
        using Setup s = Create();

        ModelRegistryException ex = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.DeleteVersionAsync(4, Ct));

        Assert.Equal(4, ex.Version);
        Assert.Equal("it does not exist.", ex.Reason);
    }
}
