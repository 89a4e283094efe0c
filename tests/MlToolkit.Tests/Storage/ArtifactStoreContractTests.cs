using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Azure.Storage.Blobs;
using MlToolkit.Aws;
using MlToolkit.Azure;
using MlToolkit.Data;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Extraction.Snapshots;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Tests.Deployment.Registry;
using MlToolkit.Tests.TestServers;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Storage;

/// <summary>
/// What every <see cref="IArtifactStore"/> must do, and a model registry on it, run against each store: a local folder, Azure
/// Blob on Azurite, and S3 on s3rver (see <see cref="TestServers"/>). Each test gets a fresh store (a new folder, container
/// prefix or key prefix). Large round trips compare SHA-256 hashes and report MB/s.
/// </summary>
public abstract class ArtifactStoreContractTests(TrainedModelsFixture models)
{
    private const int LargeBytes = 20 * 1024 * 1024;

    /// <summary>A fresh, empty store.</summary>
    protected abstract IArtifactStore CreateStore();

    /// <summary>The trained models the registry tests publish.</summary>
    protected TrainedModelsFixture Models => models;

    /// <summary>The store's kind, for reports.</summary>
    protected abstract string Kind { get; }

    /// <summary>A registry on the store, as the registry tests use it.</summary>
    protected virtual ModelRegistry CreateRegistry(IArtifactStore store, string name) => new(store, name);

    protected static MemoryStream Bytes(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    protected static async Task<byte[]> ReadAllAsync(IArtifactStore store, string key)
    {
        Stream stream = await store.OpenReadAsync(key, Ct);
        await using (stream)
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, Ct);
            return buffer.ToArray();
        }
    }

    private static async Task<List<string>> ListAsync(IArtifactStore store, string prefix = "")
    {
        var keys = new List<string>();
        await foreach (string key in store.ListAsync(prefix, Ct))
        {
            keys.Add(key);
        }

        return keys;
    }

    [Fact]
    public async Task WriteAsync_ThenOpenRead_GivesTheSameBytes()
    {
        IArtifactStore store = CreateStore();

        await store.WriteAsync("data/a.csv", Bytes("x,y\n1,2\n"), cancellationToken: Ct);

        Assert.Equal("x,y\n1,2\n", System.Text.Encoding.UTF8.GetString(await ReadAllAsync(store, "data/a.csv")));
        Assert.True(await store.ExistsAsync("data/a.csv", Ct));
    }

    [Fact]
    public async Task WriteAsync_TwentyMegabytes_RoundTripsWithTheSameHash()
    {
        IArtifactStore store = CreateStore();
        byte[] content = new byte[LargeBytes];
        new Random(3).NextBytes(content);

        var clock = Stopwatch.StartNew();
        await store.WriteAsync("models/large.bin", new MemoryStream(content, writable: false), cancellationToken: Ct);
        double upload = clock.Elapsed.TotalSeconds;
        clock.Restart();
        byte[] read = await ReadAllAsync(store, "models/large.bin");
        double download = clock.Elapsed.TotalSeconds;

        Assert.Equal(SHA256.HashData(content), SHA256.HashData(read));
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Kind}: 20 MiB up {LargeBytes / 1e6 / upload:F1} MB/s, down {LargeBytes / 1e6 / download:F1} MB/s"));
    }

    [Fact]
    public async Task WriteAsync_StreamThatCannotSeekOrStartsMidway_StoresWhatRemains()
    {
        IArtifactStore store = CreateStore();
        byte[] content = new byte[300_000];
        new Random(4).NextBytes(content);
        var midway = new MemoryStream(content) { Position = 1000 };

        await store.WriteAsync("a.bin", new ForwardOnlyStream(new MemoryStream(content)), cancellationToken: Ct);
        await store.WriteAsync("b.bin", midway, cancellationToken: Ct);

        Assert.Equal(SHA256.HashData(content), SHA256.HashData(await ReadAllAsync(store, "a.bin")));
        Assert.Equal(SHA256.HashData(content.AsSpan(1000)), SHA256.HashData(await ReadAllAsync(store, "b.bin")));
    }

    [Fact]
    public async Task WriteAsync_Overwrite_ReplacesTheContent()
    {
        IArtifactStore store = CreateStore();
        await store.WriteAsync("k.txt", Bytes("one"), cancellationToken: Ct);

        await store.WriteAsync("k.txt", Bytes("two"), ArtifactWriteMode.Overwrite, Ct);

        Assert.Equal("two", System.Text.Encoding.UTF8.GetString(await ReadAllAsync(store, "k.txt")));
    }

    [Fact]
    public async Task ExistsDeleteAndOpenRead_OnMissingKeys_SayAbsent()
    {
        IArtifactStore store = CreateStore();
        await store.WriteAsync("gone.txt", Bytes("x"), cancellationToken: Ct);

        Assert.True(await store.DeleteAsync("gone.txt", Ct));
        Assert.False(await store.DeleteAsync("gone.txt", Ct));
        Assert.False(await store.ExistsAsync("gone.txt", Ct));
        var ex = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => store.OpenReadAsync("gone.txt", Ct));
        Assert.Equal("gone.txt", ex.Key);
    }

    [Fact]
    public async Task ListAsync_ByPrefix_InOrdinalOrder()
    {
        IArtifactStore store = CreateStore();
        foreach (string key in (string[])["m/b/2.json", "m/a.json", "m/B.json", "m/b/1.json", "n/x.json", "mm.json"])
        {
            await store.WriteAsync(key, Bytes(key), cancellationToken: Ct);
        }

        Assert.Equal(["m/B.json", "m/a.json", "m/b/1.json", "m/b/2.json"], await ListAsync(store, "m/"));
        Assert.Equal(["m/B.json", "m/a.json", "m/b/1.json", "m/b/2.json", "mm.json", "n/x.json"], await ListAsync(store));
        Assert.Empty(await ListAsync(store, "z/"));
    }

    [Fact]
    public async Task Keys_EscapingTheRoot_AreRefusedBeforeAnyRequest()
    {
        IArtifactStore store = CreateStore();

        await Assert.ThrowsAsync<ArtifactKeyException>(() => store.WriteAsync("../escape.txt", Bytes("x"), cancellationToken: Ct));
        await Assert.ThrowsAsync<ArtifactKeyException>(() => store.OpenReadAsync("/abs.txt", Ct));
        Assert.Throws<ArtifactKeyException>(() => store.GetLocation("a//b"));
    }

    [Fact]
    public async Task WriteAsync_CancelledMidway_LeavesNothing()
    {
        IArtifactStore store = CreateStore();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var content = new CancellingStream(new byte[4 * 1024 * 1024], cancelAfter: 1024 * 1024, cts);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WriteAsync("half.bin", content, cancellationToken: cts.Token));

        Assert.False(await store.ExistsAsync("half.bin", Ct));
        Assert.Empty(await ListAsync(store));
    }

    [Fact]
    public async Task Registry_OnThisStore_PublishesPromotesRollsBackAndLoadsVerified()
    {
        IArtifactStore store = CreateStore();
        ModelRegistry registry = CreateRegistry(store, "churn");

        ModelManifest v1 = await registry.PublishAsync(models.ContextA, Ct);
        ModelManifest v2 = await registry.PublishAsync(models.ContextB, Ct);
        await registry.SetAliasAsync("production", v1.Version, cancellationToken: Ct);
        await registry.SetAliasAsync("production", v2.Version, cancellationToken: Ct);
        ModelAlias rolledBack = await registry.RollbackAsync("production", Ct);
        LoadedModel loaded = await registry.LoadAsync("production", Ct);

        Assert.Equal([1, 2], [v1.Version, v2.Version]);
        Assert.Equal(1, rolledBack.Version);
        Assert.Equal(v1.Sha256, loaded.Manifest.Sha256);
        Assert.Equal(RegistryTestKit.Scores(models.ResultA.Model.Transform(models.TestTable)), RegistryTestKit.Scores(loaded.Transformer.Transform(models.TestTable)));
        Assert.DoesNotContain("AccountKey", store.GetLocation(v1.ModelKey), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CsvSource_FromAKeyOfThisStore_TrainsAPipeline()
    {
        IArtifactStore store = CreateStore();
        await store.WriteAsync("data/churn.csv", Bytes(TestData.BinaryCsv(400)), cancellationToken: Ct);

        PipelineResult result = await new PipelineBuilder(5)
            .FromCsv(store, "data/churn.csv")
            .Label("label")
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 20))
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.Equal(400, result.Rows);
        Assert.InRange(result.Metrics[Metric.Auc], 0.7, 1.0);
    }

    [Fact]
    public async Task Snapshot_OnThisStore_RoundTripsAndIsStoredOnce()
    {
        IArtifactStore store = CreateStore();
        DataTable table = new([new NumberColumn("x", [1.5f, float.NaN, 3]), new TextColumn("t", ["a", null, ""]), new BooleanColumn("b", [true, false, true])]);

        DataSnapshot first = await DataSnapshot.SaveAsync(store, "snapshots", table, "test", cancellationToken: Ct);
        DataSnapshot second = await DataSnapshot.SaveAsync(store, "snapshots", table, "test", cancellationToken: Ct);
        DataTable read = await DataSnapshot.ReadAsync(store, first.Key, Ct);

        Assert.Equal(first, second);
        Assert.Equal([first.Key], await ListAsync(store, "snapshots/"));
        Assert.Equal(DataFingerprint.Compute(table), DataFingerprint.Compute(read));
    }

    /// <summary>A stream that cannot seek, over another.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A stream that cancels <paramref name="cts"/> once <paramref name="cancelAfter"/> bytes have been read from it.</summary>
    private sealed class CancellingStream(byte[] content, int cancelAfter, CancellationTokenSource cts) : MemoryStream(content, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            Cancel();
            return base.Read(buffer, offset, Math.Min(count, 64 * 1024));
        }

        public override int Read(Span<byte> buffer)
        {
            Cancel();
            return base.Read(buffer[..Math.Min(buffer.Length, 64 * 1024)]);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Cancel();
            return base.ReadAsync(buffer[..Math.Min(buffer.Length, 64 * 1024)], cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Cancel();
            return base.ReadAsync(buffer, offset, Math.Min(count, 64 * 1024), cancellationToken);
        }

        private void Cancel()
        {
            if (Position >= cancelAfter)
            {
                cts.Cancel();
            }
        }
    }
}

/// <summary>
/// What a store whose service honours create-only and conditional writes must do besides (local folders, Azure Blob). S3
/// itself honours them, but the s3rver emulator ignores them, so the S3 tests check instead that the requests carry them.
/// </summary>
public abstract class ConditionalStoreContractTests(TrainedModelsFixture models) : ArtifactStoreContractTests(models)
{
    [Fact]
    public async Task WriteAsync_CreateNewOnAnExistingKey_RefusesAndKeepsTheContent()
    {
        IArtifactStore store = CreateStore();
        await store.WriteAsync("k.txt", Bytes("one"), cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<ArtifactExistsException>(() => store.WriteAsync("k.txt", Bytes("two"), ArtifactWriteMode.CreateNew, Ct));

        Assert.Equal("k.txt", ex.Key);
        Assert.Equal("one", System.Text.Encoding.UTF8.GetString(await ReadAllAsync(store, "k.txt")));
    }

    [Fact]
    public async Task WriteAsync_ConcurrentCreateNew_ExactlyOneWins()
    {
        IArtifactStore store = CreateStore();

        Task[] writes = [.. Enumerable.Range(0, 8).Select(i => store.WriteAsync("versions/00000001.json", Bytes($"writer {i}"), ArtifactWriteMode.CreateNew, Ct))];
        try
        {
            await Task.WhenAll(writes);
        }
        catch (ArtifactExistsException)
        {
            // Inspected below.
        }

        Assert.Equal(1, writes.Count(t => t.IsCompletedSuccessfully));
        Assert.Equal(7, writes.Count(t => t.Exception?.InnerException is ArtifactExistsException));
        int winner = Array.FindIndex(writes, t => t.IsCompletedSuccessfully);
        Assert.Equal($"writer {winner}", System.Text.Encoding.UTF8.GetString(await ReadAllAsync(store, "versions/00000001.json")));
    }

    [Fact]
    public async Task ConditionalWrites_RefuseAStaleTagAndAcceptTheCurrentOne()
    {
        var store = Assert.IsAssignableFrom<IConditionalArtifactStore>(CreateStore());

        Assert.Null(await store.ReadVersionedAsync("alias.json", Ct));
        string first = await store.WriteIfUnchangedAsync("alias.json", Bytes("v1"), expectedTag: null, Ct);
        await Assert.ThrowsAsync<ArtifactChangedException>(() => store.WriteIfUnchangedAsync("alias.json", Bytes("v1 again"), expectedTag: null, Ct));
        VersionedArtifact? read = await store.ReadVersionedAsync("alias.json", Ct);
        string second = await store.WriteIfUnchangedAsync("alias.json", Bytes("v2"), read!.Tag, Ct);
        var stale = await Assert.ThrowsAsync<ArtifactChangedException>(() => store.WriteIfUnchangedAsync("alias.json", Bytes("v3"), first, Ct));

        Assert.Equal(first, read.Tag);
        Assert.NotEqual(first, second);
        Assert.Equal(first, stale.ExpectedTag);
        Assert.Equal("v2", System.Text.Encoding.UTF8.GetString((await store.ReadVersionedAsync("alias.json", Ct))!.Content));
    }

    [Fact]
    public async Task Registry_ConcurrentAliasMoves_LoseNoMove()
    {
        IArtifactStore store = CreateStore();
        var registry = new ModelRegistry(store, "churn");
        for (int i = 0; i < 9; i++)
        {
            await registry.PublishAsync(Models.ContextA, Ct);
        }

        await registry.SetAliasAsync("production", 1, cancellationToken: Ct);

        // Eight movers, each with its own registry object on the same store, as separate processes would be.
        await Task.WhenAll(Enumerable.Range(2, 8).Select(v => Task.Run(() => new ModelRegistry(store, "churn").SetAliasAsync("production", v, cancellationToken: Ct), Ct)));
        ModelAlias alias = (await registry.GetAliasAsync("production", Ct))!;

        // Every move is in the history, each once: with a last-writer-wins overwrite some would be lost.
        Assert.Equal(Enumerable.Range(1, 9), alias.History.Append(alias.Version).Order());
        Assert.Equal(1, alias.History[0]);
    }

}

public sealed class LocalStoreContractTests(TrainedModelsFixture models) : ConditionalStoreContractTests(models), IClassFixture<TrainedModelsFixture>, IDisposable
{
    private readonly List<TempFolder> _folders = [];

    protected override string Kind => "local folder";

    protected override IArtifactStore CreateStore()
    {
        TempFolder folder = TestData.TempFolder();
        _folders.Add(folder);
        return new LocalArtifactStore(Path.Combine(folder.Path, "store"));
    }

    public void Dispose() => _folders.ForEach(f => f.Dispose());
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreContractTests(TrainedModelsFixture models, AzuriteServer azurite) : ConditionalStoreContractTests(models), IClassFixture<TrainedModelsFixture>
{
    protected override string Kind => "Azure Blob (Azurite)";

    protected override IArtifactStore CreateStore()
    {
        azurite.Require();
        var container = new BlobContainerClient(azurite.ConnectionString, "c" + Guid.NewGuid().ToString("N")[..20]);
        return new AzureBlobArtifactStore(container, prefix: "ml");
    }
}

[Collection(S3Collection.Name)]
public sealed class S3StoreContractTests(TrainedModelsFixture models, S3Server s3) : ArtifactStoreContractTests(models), IClassFixture<TrainedModelsFixture>
{
    protected override string Kind => "S3 (s3rver)";

    protected override IArtifactStore CreateStore()
    {
        s3.Require();
        return new S3ArtifactStore(s3.CreateClient(), s3.Bucket, prefix: "t" + Guid.NewGuid().ToString("N")[..12]);
    }

    /// <summary>
    /// s3rver ignores If-None-Match and If-Match, so a registry on it refuses to publish or move aliases (the probe sees it:
    /// see S3rverConditionalWriteProbeTests). These tests are a single writer, so they say so, to test the rest of the
    /// registry on S3; the conditions themselves are checked below as headers on the requests.
    /// </summary>
    protected override ModelRegistry CreateRegistry(IArtifactStore store, string name)
        => new(store, name, new ModelRegistryOptions { AllowStoreWithoutConditionalWrites = true });

    /// <summary>
    /// S3 honours <c>If-None-Match: *</c> and <c>If-Match</c> on PUT (since 2024); s3rver ignores them, so what can be checked
    /// here is that every create-only and conditional write carries them, with the tag the store read.
    /// </summary>
    [Fact]
    public async Task Writes_CreateOnlyAndConditional_CarryIfNoneMatchAndIfMatch()
    {
        s3.Require();
        using Amazon.S3.AmazonS3Client client = s3.CreateClient();
        var puts = new System.Collections.Concurrent.ConcurrentQueue<(string? IfNoneMatch, string? IfMatch)>();
        client.BeforeRequestEvent += (_, e) =>
        {
            if (e is Amazon.Runtime.WebServiceRequestEventArgs { Request: Amazon.S3.Model.PutObjectRequest } w)
            {
                puts.Enqueue((w.Headers.TryGetValue("If-None-Match", out string? none) ? none : null, w.Headers.TryGetValue("If-Match", out string? match) ? match : null));
            }
        };
        var store = new S3ArtifactStore(client, s3.Bucket, prefix: "h" + Guid.NewGuid().ToString("N")[..12]);

        await store.WriteAsync("plain.txt", Bytes("a"), ArtifactWriteMode.Overwrite, Ct);
        await store.WriteAsync("versions/1.json", Bytes("b"), ArtifactWriteMode.CreateNew, Ct);
        string created = await store.WriteIfUnchangedAsync("alias.json", Bytes("c"), expectedTag: null, Ct);
        VersionedArtifact read = (await store.ReadVersionedAsync("alias.json", Ct))!;
        await store.WriteIfUnchangedAsync("alias.json", Bytes("d"), read.Tag, Ct);

        Assert.Equal(created, read.Tag);
        Assert.Equal([(null, null), ("*", null), ("*", null), (null, read.Tag)], puts);
    }
}
