using MlToolkit.Deployment;
using MlToolkit.Deployment.Registry;
using MlToolkit.Storage;
using static MlToolkit.Tests.Deployment.Registry.RegistryTestKit;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Deployment.Registry;

/// <summary>
/// A registry holds version 1 (model A) in 'production'; model B is then published (writes: 1 its model file,
/// 2 its manifest) and, through <see cref="RegistryDeployer"/>, promoted (write 3: the alias), with the k-th write
/// failing before it starts, half way through, or after it completed.
/// </summary>
public class ModelRegistryCrashTests(TrainedModelsFixture f) : IClassFixture<TrainedModelsFixture>
{
    /// <summary>
    /// The registries over <see cref="FailingStore"/> opt in to a store without conditional writes: the wrapper does not
    /// implement <see cref="IConditionalArtifactStore"/> (so the alias moves by overwrite, as these crash cases expect), one
    /// writer works at a time, and without the probe's own writes the k-th write is the k-th write of the publish.
    /// </summary>
    private static readonly ModelRegistryOptions SingleWriter = new() { AllowStoreWithoutConditionalWrites = true };

    public static TheoryData<bool, int, WriteFailure, int[], int> Cases()
    {
        var data = new TheoryData<bool, int, WriteFailure, int[], int>();
        foreach (WriteFailure failure in Enum.GetValues<WriteFailure>())
        {
            bool after = failure == WriteFailure.After;

            // Publish only: the model file, then the manifest (the commit).
            data.Add(false, 1, failure, [1], 1);
            data.Add(false, 2, failure, after ? [1, 2] : [1], 1);

            // Publish and promote: the model file, the manifest, then the alias.
            data.Add(true, 1, failure, [1], 1);
            data.Add(true, 2, failure, after ? [1, 2] : [1], 1);
            data.Add(true, 3, failure, [1, 2], after ? 2 : 1);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PublishAsync_KthWriteFails_RegistryStaysConsistentAndGapFree(bool promote, int failOnWrite, WriteFailure failure, int[] expectedVersions, int expectedAlias)
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        var registry = new ModelRegistry(store, Name);
        await registry.PublishAsync(f.ContextA, Ct);
        await registry.SetAliasAsync("production", 1, cancellationToken: Ct);

        var failing = new FailingStore(store, failOnWrite, failure);
        var deployer = new RegistryDeployer(new ModelRegistry(failing, Name, SingleWriter), promoteTo: promote ? "production" : null);
        IOException crash = await Assert.ThrowsAsync<IOException>(() => deployer.DeployAsync(f.ContextB, Ct));
        Assert.Contains("Simulated", crash.Message, StringComparison.Ordinal);
        Assert.Equal(failOnWrite, failing.Writes);
        string[] expectedKeys = [$"{Name}/blobs/", $"{Name}/versions/00000002.json", $"{Name}/aliases/production.json"];
        Assert.StartsWith(expectedKeys[failOnWrite - 1], failing.WrittenKeys[^1], StringComparison.Ordinal);

        await AssertConsistentAsync(store, expectedVersions, expectedAlias);

        // The next successful publish takes the next number: nothing is skipped.
        ModelManifest next = await new ModelRegistry(store, Name).PublishAsync(f.ContextB, Ct);
        Assert.Equal(expectedVersions.Length + 1, next.Version);
        Assert.Equal(Enumerable.Range(1, expectedVersions.Length + 1), (await registry.ListVersionsAsync(Ct)).Select(m => m.Version));
        Assert.Equal(f.ResultB.Model.TrainerName, (await registry.LoadAsync(next.Version, Ct)).Manifest.Trainer);
    }

    [Theory]
    [InlineData(false, 3, 1)]
    [InlineData(true, 4, 2)]
    public async Task PublishAsync_FailureAfterTheLastWrite_NothingFailsAndVersionTwoIsComplete(bool promote, int failOnWrite, int expectedAlias)
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        var registry = new ModelRegistry(store, Name);
        await registry.PublishAsync(f.ContextA, Ct);
        await registry.SetAliasAsync("production", 1, cancellationToken: Ct);

        var failing = new FailingStore(store, failOnWrite, WriteFailure.Before);
        DeploymentResult deployed = await new RegistryDeployer(new ModelRegistry(failing, Name, SingleWriter), promoteTo: promote ? "production" : null).DeployAsync(f.ContextB, Ct);

        Assert.Equal(failOnWrite - 1, failing.Writes);
        Assert.Equal(2, deployed.Version);
        Assert.Equal(promote ? "production" : null, deployed.PromotedTo);
        await AssertConsistentAsync(store, [1, 2], expectedAlias);
    }

    [Fact]
    public async Task PublishAsync_SameModelFileAlreadyStored_OnlyTheManifestIsWritten()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        await new ModelRegistry(store, Name).PublishAsync(f.ContextA, Ct);

        // The model file exists, so the manifest is the first write: failing it leaves version 1 alone.
        var failing = new FailingStore(store, 1, WriteFailure.Before);
        await Assert.ThrowsAsync<IOException>(() => new ModelRegistry(failing, Name, SingleWriter).PublishAsync(f.ContextA, Ct));

        Assert.Equal([VersionKey(2)], failing.WrittenKeys);
        await AssertConsistentAsync(store, [1], expectedAlias: null);
        Assert.Equal(2, (await new ModelRegistry(store, Name).PublishAsync(f.ContextA, Ct)).Version);
    }

    [Fact]
    public async Task PublishAsync_ConcurrentDeleteOfTheOnlyVersionUsingTheSameFile_CommittedVersionIsLoadable()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        var other = new ModelRegistry(store, Name);
        ModelManifest v1 = await other.PublishAsync(f.ContextA, Ct);

        // A publisher of the same model finds its file already stored; just then another client deletes version 1,
        // the only version using that file, so the file goes too.
        var interleaving = new InterleavingStore(store, $"{Name}/blobs/", () => other.DeleteVersionAsync(1, Ct));
        ModelManifest published = await new ModelRegistry(interleaving, Name).PublishAsync(f.ContextA, Ct);

        Assert.Equal(v1.ModelKey, published.ModelKey);

        // Whatever version the publisher got, it was committed, so it must be complete.
        LoadedModel loaded = await other.LoadAsync(published.Version, Ct);
        Assert.Equal(Scores(f.ResultA.Model.Transform(f.TestTable)), Scores(loaded.Transformer.Transform(f.TestTable)));
    }

    private async Task AssertConsistentAsync(LocalArtifactStore store, int[] expectedVersions, int? expectedAlias)
    {
        var reader = new ModelRegistry(store, Name);
        IReadOnlyList<ModelManifest> versions = await reader.ListVersionsAsync(Ct);
        Assert.Equal(expectedVersions, versions.Select(v => v.Version));
        foreach (ModelManifest manifest in versions)
        {
            LoadedModel loaded = await reader.LoadAsync(manifest.Version, Ct);
            Assert.Equal(manifest.Sha256, loaded.Manifest.Sha256);
        }

        float[] scoresA = Scores(f.ResultA.Model.Transform(f.TestTable));
        Assert.Equal(scoresA, Scores((await reader.LoadAsync(1, Ct)).Transformer.Transform(f.TestTable)));

        ModelAlias? alias = await reader.GetAliasAsync("production", Ct);
        Assert.Equal(expectedAlias, alias?.Version);
        if (alias is not null)
        {
            Assert.Contains(alias.Version, expectedVersions);
            Assert.Equal(alias.Version, (await reader.LoadAsync("production", Ct)).Manifest.Version);
        }

        Assert.Empty(TempFiles(store));
    }
}
