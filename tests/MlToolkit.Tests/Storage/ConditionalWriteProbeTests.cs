using Azure.Storage.Blobs;
using MlToolkit.Aws;
using MlToolkit.Azure;
using MlToolkit.Deployment.Registry;
using MlToolkit.Storage;
using MlToolkit.Tests.Deployment.Registry;
using MlToolkit.Tests.TestServers;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Storage;

/// <summary>
/// The registry's probe of its store's conditional writes (<see cref="ModelRegistry.CheckStoreAsync"/>) and its refusal to
/// publish or move aliases on a store that ignores them: here on stores made to ignore them (always run), and below on the
/// real servers (Azurite honours both, s3rver ignores both).
/// </summary>
public class ConditionalWriteProbeTests(TrainedModelsFixture models) : IClassFixture<TrainedModelsFixture>, IDisposable
{
    private const string Name = "churn";
    private readonly TempFolder _folder = TestData.TempFolder();

    public void Dispose() => _folder.Dispose();

    private LocalArtifactStore Local(string name = "store") => new(Path.Combine(_folder.Path, name));

    internal static async Task<List<string>> KeysAsync(IArtifactStore store, string prefix = "")
    {
        var keys = new List<string>();
        await foreach (string key in store.ListAsync(prefix, Ct))
        {
            keys.Add(key);
        }

        return keys;
    }

    [Fact]
    public async Task CheckStoreAsync_LocalStore_HonoursBothAndKeepsOnlyTheCompareAndSwapKey()
    {
        LocalArtifactStore store = Local();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        ConditionalWriteProbeResult probe = await new ModelRegistry(store, Name).CheckStoreAsync(Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"local folder: probe took {clock.ElapsedMilliseconds} ms");

        Assert.True(probe.CreateOnlyHonoured);
        Assert.True(probe.CompareAndSwapHonoured);
        Assert.Empty(probe.Observations);
        Assert.Equal(store.GetLocation($"{Name}/probes"), probe.Location);
        Assert.Equal([$"{Name}/probes/compare-and-swap.probe"], await KeysAsync(store));
    }

    [Fact]
    public async Task CheckStoreAsync_StoreThatIgnoresConditions_ReportsWhatItSaw()
    {
        var store = new IgnoringStore(Local());

        ConditionalWriteProbeResult probe = await new ModelRegistry(store, Name).CheckStoreAsync(Ct);

        Assert.False(probe.CreateOnlyHonoured);
        Assert.False(probe.CompareAndSwapHonoured);
        Assert.Collection(
            probe.Observations,
            o => Assert.Contains("a second create-only write of 'churn/probes/create-only-", o, StringComparison.Ordinal),
            o => Assert.Contains("a conditional create of 'churn/probes/compare-and-swap.probe', which already existed, succeeded", o, StringComparison.Ordinal),
            o => Assert.Contains("with a stale tag succeeded instead of being refused (the service ignored If-Match", o, StringComparison.Ordinal));
        Assert.Equal([$"{Name}/probes/compare-and-swap.probe"], await KeysAsync(store));
    }

    [Fact]
    public async Task PublishAsync_StoreThatIgnoresConditions_RefusedNamingTheStoreAndWhatWasSeen()
    {
        var store = new IgnoringStore(Local());
        var registry = new ModelRegistry(store, Name);

        var ex = await Assert.ThrowsAsync<ConditionalWritesNotHonouredException>(() => registry.PublishAsync(models.ContextA, Ct));

        Assert.Equal("publish", ex.Operation);
        Assert.Equal(Name, ex.Model);
        Assert.False(ex.Probe.CreateOnlyHonoured);
        Assert.StartsWith($"Model 'churn' cannot publish on its store (IgnoringStore at {store.GetLocation("churn/probes")}): a second create-only write", ex.Message, StringComparison.Ordinal);
        Assert.Contains("two publishers could commit the same version number", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ModelRegistryOptions.AllowStoreWithoutConditionalWrites = true", ex.Message, StringComparison.Ordinal);
        Assert.Equal(PipelineStage.Deployment, ex.Stage);

        // Refused before the model file or a manifest was written.
        Assert.Equal([$"{Name}/probes/compare-and-swap.probe"], await KeysAsync(store));
    }

    [Fact]
    public async Task SetAliasAsync_StoreThatIgnoresConditions_RefusedAndTheAliasStaysUnset()
    {
        var store = new IgnoringStore(Local());
        await new ModelRegistry(store, Name, new ModelRegistryOptions { AllowStoreWithoutConditionalWrites = true }).PublishAsync(models.ContextA, Ct);
        var registry = new ModelRegistry(store, Name);

        var ex = await Assert.ThrowsAsync<ConditionalWritesNotHonouredException>(() => registry.SetAliasAsync("production", 1, cancellationToken: Ct));

        Assert.Equal("move alias 'production'", ex.Operation);
        Assert.Contains("one of two concurrent alias moves could be lost", ex.Message, StringComparison.Ordinal);
        Assert.Null(await registry.GetAliasAsync("production", Ct));
        Assert.Equal([1], (await registry.ListVersionsAsync(Ct)).Select(m => m.Version));
    }

    [Fact]
    public async Task Registry_StoreThatIgnoresConditionsWithTheOptIn_PublishesAndMovesAliasesWithoutProbing()
    {
        var store = new IgnoringStore(Local());
        var registry = new ModelRegistry(store, Name, new ModelRegistryOptions { AllowStoreWithoutConditionalWrites = true });

        ModelManifest v1 = await registry.PublishAsync(models.ContextA, Ct);
        ModelManifest v2 = await registry.PublishAsync(models.ContextB, Ct);
        await registry.SetAliasAsync("production", v1.Version, cancellationToken: Ct);
        await registry.SetAliasAsync("production", v2.Version, cancellationToken: Ct);
        ModelAlias rolledBack = await registry.RollbackAsync("production", Ct);

        Assert.Equal([1, 2], [v1.Version, v2.Version]);
        Assert.Equal(1, rolledBack.Version);
        Assert.True(registry.Options.AllowStoreWithoutConditionalWrites);
        Assert.Empty(await KeysAsync(store, $"{Name}/probes/"));
    }

    [Fact]
    public void ModelRegistry_Options_AreCopiedAtCreation()
    {
        var options = new ModelRegistryOptions { AllowStoreWithoutConditionalWrites = true };
        var registry = new ModelRegistry(Local(), Name, options);

        options.AllowStoreWithoutConditionalWrites = false;

        Assert.True(registry.Options.AllowStoreWithoutConditionalWrites);
        Assert.False(new ModelRegistry(Local(), Name).Options.AllowStoreWithoutConditionalWrites);
    }

    [Fact]
    public async Task SetAliasAsync_StoreWithoutCompareAndSwap_RefusedUnlessOptedIn()
    {
        var store = new PlainStore(Local());
        var registry = new ModelRegistry(store, Name);
        ModelManifest v1 = await registry.PublishAsync(models.ContextA, Ct); // create-only writes are honoured: publishing is safe

        var ex = await Assert.ThrowsAsync<ConditionalWritesNotHonouredException>(() => registry.SetAliasAsync("production", v1.Version, cancellationToken: Ct));
        ModelAlias moved = await new ModelRegistry(store, Name, new ModelRegistryOptions { AllowStoreWithoutConditionalWrites = true }).SetAliasAsync("production", v1.Version, cancellationToken: Ct);

        Assert.True(ex.Probe.CreateOnlyHonoured);
        Assert.Null(ex.Probe.CompareAndSwapHonoured);
        Assert.Contains("it offers no compare-and-swap (PlainStore does not implement IConditionalArtifactStore)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, moved.Version);
    }

    [Fact]
    public async Task CheckStoreAsync_ManyRegistriesOnOneStoreInstance_ProbeOnce()
    {
        var store = new CountingStore(Local());

        ConditionalWriteProbeResult first = await new ModelRegistry(store, Name).CheckStoreAsync(Ct);
        int writes = store.Writes;
        await new ModelRegistry(store, Name).PublishAsync(models.ContextA, Ct);
        ConditionalWriteProbeResult again = await new ModelRegistry(store, "third").CheckStoreAsync(Ct);

        Assert.Same(first, again);
        Assert.Equal(2, writes); // the probe's two create-only writes (conditional writes are not counted)
        Assert.Equal(writes + 2, store.Writes); // the publish: its model file and its manifest, and no second probe
        Assert.DoesNotContain(store.WrittenKeys.Skip(writes), k => k.Contains("/probes/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckStoreAsync_ProbeThatFails_IsNotKeptAndRunsAgain()
    {
        var store = new CountingStore(Local()) { FailNextWrite = true };
        var registry = new ModelRegistry(store, Name);

        await Assert.ThrowsAsync<IOException>(() => registry.CheckStoreAsync(Ct));
        ConditionalWriteProbeResult probe = await registry.CheckStoreAsync(Ct);

        Assert.True(probe.CreateOnlyHonoured);
        Assert.True(probe.CompareAndSwapHonoured);
        Assert.Equal([$"{Name}/probes/compare-and-swap.probe"], await KeysAsync(store));
    }

    [Fact]
    public async Task CheckStoreAsync_ProbesOfOneFolderAtTheSameTime_NoneSeesAnIgnoredCondition()
    {
        // Separate store instances (as separate processes would have) on one folder, so that each really probes.
        ConditionalWriteProbeResult[] probes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => new ModelRegistry(Local(), Name).CheckStoreAsync(Ct), Ct)));

        Assert.All(probes, p => Assert.Empty(p.Observations));
        Assert.All(probes, p => Assert.True(p.CompareAndSwapHonoured));
    }

    /// <summary>
    /// A store over a local folder that ignores every condition, as s3rver does: a create-only write overwrites, and a
    /// conditional write ignores its expected tag.
    /// </summary>
    internal sealed class IgnoringStore(LocalArtifactStore inner) : ArtifactStoreBase, IConditionalArtifactStore
    {
        public Task<VersionedArtifact?> ReadVersionedAsync(string key, CancellationToken cancellationToken = default) => inner.ReadVersionedAsync(key, cancellationToken);

        public async Task<string> WriteIfUnchangedAsync(string key, Stream content, string? expectedTag, CancellationToken cancellationToken = default)
        {
            using var buffer = new MemoryStream();
            await content.CopyToAsync(buffer, cancellationToken);
            await inner.WriteAsync(key, new MemoryStream(buffer.ToArray()), ArtifactWriteMode.Overwrite, cancellationToken);
            return (await inner.ReadVersionedAsync(key, cancellationToken))!.Tag;
        }

        protected override Task<Stream> OpenReadCoreAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

        protected override Task WriteCoreAsync(string key, Stream content, ArtifactWriteMode mode, CancellationToken cancellationToken) => inner.WriteAsync(key, content, ArtifactWriteMode.Overwrite, cancellationToken);

        protected override Task<bool> ExistsCoreAsync(string key, CancellationToken cancellationToken) => inner.ExistsAsync(key, cancellationToken);

        protected override Task<bool> DeleteCoreAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

        protected override IAsyncEnumerable<string> ListCoreAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        protected override string GetLocationCore(string key) => inner.GetLocation(key);
    }

    /// <summary>A store over another that offers no compare-and-swap (it does not implement <see cref="IConditionalArtifactStore"/>).</summary>
    internal class PlainStore(IArtifactStore inner) : ArtifactStoreBase
    {
        protected override Task<Stream> OpenReadCoreAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

        protected override Task WriteCoreAsync(string key, Stream content, ArtifactWriteMode mode, CancellationToken cancellationToken) => inner.WriteAsync(key, content, mode, cancellationToken);

        protected override Task<bool> ExistsCoreAsync(string key, CancellationToken cancellationToken) => inner.ExistsAsync(key, cancellationToken);

        protected override Task<bool> DeleteCoreAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

        protected override IAsyncEnumerable<string> ListCoreAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        protected override string GetLocationCore(string key) => inner.GetLocation(key);
    }

    /// <summary>A conditional store over a local folder that counts its plain writes (and can fail the next one).</summary>
    internal sealed class CountingStore(LocalArtifactStore inner) : ArtifactStoreBase, IConditionalArtifactStore
    {
        private int _writes;

        public int Writes => Volatile.Read(ref _writes);

        public bool FailNextWrite { get; set; }

        public List<string> WrittenKeys { get; } = [];

        public Task<VersionedArtifact?> ReadVersionedAsync(string key, CancellationToken cancellationToken = default) => inner.ReadVersionedAsync(key, cancellationToken);

        public Task<string> WriteIfUnchangedAsync(string key, Stream content, string? expectedTag, CancellationToken cancellationToken = default) => inner.WriteIfUnchangedAsync(key, content, expectedTag, cancellationToken);

        protected override Task<Stream> OpenReadCoreAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

        protected override Task WriteCoreAsync(string key, Stream content, ArtifactWriteMode mode, CancellationToken cancellationToken)
        {
            if (FailNextWrite)
            {
                FailNextWrite = false;
                throw new IOException($"Simulated failure of the write of '{key}'.");
            }

            Interlocked.Increment(ref _writes);
            lock (WrittenKeys)
            {
                WrittenKeys.Add(key);
            }

            return inner.WriteAsync(key, content, mode, cancellationToken);
        }

        protected override Task<bool> ExistsCoreAsync(string key, CancellationToken cancellationToken) => inner.ExistsAsync(key, cancellationToken);

        protected override Task<bool> DeleteCoreAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

        protected override IAsyncEnumerable<string> ListCoreAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

        protected override string GetLocationCore(string key) => inner.GetLocation(key);
    }
}

/// <summary>Azure Blob Storage (Azurite) honours both conditions: the probe passes and the registry runs on it.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteConditionalWriteProbeTests(AzuriteServer azurite)
{
    [Fact]
    public async Task CheckStoreAsync_Azurite_HonoursCreateOnlyAndCompareAndSwap()
    {
        azurite.Require();
        var store = new AzureBlobArtifactStore(new BlobContainerClient(azurite.ConnectionString, "p" + Guid.NewGuid().ToString("N")[..20]), prefix: "ml");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        ConditionalWriteProbeResult probe = await new ModelRegistry(store, "churn").CheckStoreAsync(Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"Azurite: probe took {clock.ElapsedMilliseconds} ms");

        Assert.True(probe.CreateOnlyHonoured);
        Assert.True(probe.CompareAndSwapHonoured);
        Assert.Empty(probe.Observations);
        Assert.Equal(["churn/probes/compare-and-swap.probe"], await ConditionalWriteProbeTests.KeysAsync(store));
    }
}

/// <summary>
/// s3rver ignores <c>If-None-Match</c> and <c>If-Match</c>: the probe says so, and the registry refuses to publish or move
/// an alias there unless it is told that a single process writes.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class S3rverConditionalWriteProbeTests(TrainedModelsFixture models, S3Server s3) : IClassFixture<TrainedModelsFixture>
{
    private S3ArtifactStore Store() => new(s3.CreateClient(), s3.Bucket, prefix: "p" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task CheckStoreAsync_S3rver_ReportsThatItIgnoresConditionalWrites()
    {
        S3ArtifactStore store = Store();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        ConditionalWriteProbeResult probe = await new ModelRegistry(store, "churn").CheckStoreAsync(Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"s3rver: probe took {clock.ElapsedMilliseconds} ms");

        Assert.False(probe.CreateOnlyHonoured);
        Assert.False(probe.CompareAndSwapHonoured);
        Assert.Equal(3, probe.Observations.Count);
        Assert.Contains("If-None-Match: *", probe.Observations[0], StringComparison.Ordinal);
        Assert.Contains("If-Match", probe.Observations[2], StringComparison.Ordinal);
        Assert.StartsWith($"s3://{s3.Bucket}/p", probe.Location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishAndSetAlias_S3rver_RefusedWithTheStoreNamed()
    {
        S3ArtifactStore store = Store();
        var registry = new ModelRegistry(store, "churn");

        var publish = await Assert.ThrowsAsync<ConditionalWritesNotHonouredException>(() => registry.PublishAsync(models.ContextA, Ct));
        Assert.Empty(await ConditionalWriteProbeTests.KeysAsync(store, "churn/versions/"));
        Assert.Empty(await ConditionalWriteProbeTests.KeysAsync(store, "churn/blobs/"));
        await new ModelRegistry(store, "churn", new ModelRegistryOptions { AllowStoreWithoutConditionalWrites = true }).PublishAsync(models.ContextA, Ct);
        var alias = await Assert.ThrowsAsync<ConditionalWritesNotHonouredException>(() => registry.SetAliasAsync("production", 1, cancellationToken: Ct));

        Assert.Contains($"(S3ArtifactStore at {store.GetLocation("churn/probes")})", publish.Message, StringComparison.Ordinal);
        Assert.Contains("a second create-only write", publish.Message, StringComparison.Ordinal);
        Assert.Equal("move alias 'production'", alias.Operation);
        Assert.Same(publish.Probe, alias.Probe); // probed once for this store instance
        Assert.Null(await registry.GetAliasAsync("production", Ct));
    }

    [Fact]
    public async Task Registry_S3rverWithTheOptIn_PublishesPromotesAndLoads()
    {
        S3ArtifactStore store = Store();
        var registry = new ModelRegistry(store, "churn", new ModelRegistryOptions { AllowStoreWithoutConditionalWrites = true });

        ModelManifest v1 = await registry.PublishAsync(models.ContextA, Ct);
        ModelManifest v2 = await registry.PublishAsync(models.ContextB, Ct);
        await registry.SetAliasAsync("production", v2.Version, cancellationToken: Ct);
        LoadedModel loaded = await registry.LoadAsync("production", Ct);

        Assert.Equal([1, 2], [v1.Version, v2.Version]);
        Assert.Equal(v2.Sha256, loaded.Manifest.Sha256);
        Assert.Empty(await ConditionalWriteProbeTests.KeysAsync(store, "churn/probes/"));
    }
}
