using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Data;
using MlToolkit.Deployment;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Extraction.Csv;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using MlToolkit.Validation;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Deployment.Registry;

/// <summary>A clock that always says the same time (settable), for manifest and alias times.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>How <see cref="FailingStore"/> fails its chosen write.</summary>
public enum WriteFailure
{
    /// <summary>The write throws before anything reaches the inner store.</summary>
    Before,

    /// <summary>The inner store gets a content stream that throws half way through (a crash mid-copy).</summary>
    Midway,

    /// <summary>The inner store completes the write, then the call throws (the caller never hears of the success).</summary>
    After,
}

/// <summary>
/// An <see cref="ArtifactStoreBase"/> over another store whose k-th write (1-based, counted over the store's life)
/// fails with an <see cref="IOException"/>; every other operation is passed through.
/// </summary>
internal sealed class FailingStore(IArtifactStore inner, int failOnWrite, WriteFailure failure) : ArtifactStoreBase
{
    private int _writes;

    /// <summary>The writes asked for so far (including the failed one).</summary>
    public int Writes => Volatile.Read(ref _writes);

    /// <summary>The key of every write asked for, in order.</summary>
    public List<string> WrittenKeys { get; } = [];

    protected override Task<Stream> OpenReadCoreAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

    protected override async Task WriteCoreAsync(string key, Stream content, ArtifactWriteMode mode, CancellationToken cancellationToken)
    {
        int number = Interlocked.Increment(ref _writes);
        lock (WrittenKeys)
        {
            WrittenKeys.Add(key);
        }

        if (number != failOnWrite)
        {
            await inner.WriteAsync(key, content, mode, cancellationToken);
            return;
        }

        switch (failure)
        {
            case WriteFailure.Before:
                throw new IOException($"Simulated failure of write {number} ('{key}') before it started.");
            case WriteFailure.Midway:
                using (var buffer = new MemoryStream())
                {
                    await content.CopyToAsync(buffer, cancellationToken);
                    await inner.WriteAsync(key, new BreakingStream(buffer.ToArray(), (int)(buffer.Length / 2)), mode, cancellationToken);
                }

                throw new InvalidOperationException("The breaking stream was read to its end; the simulated crash did not happen.");
            default:
                await inner.WriteAsync(key, content, mode, cancellationToken);
                throw new IOException($"Simulated failure of write {number} ('{key}') after it completed.");
        }
    }

    protected override Task<bool> ExistsCoreAsync(string key, CancellationToken cancellationToken) => inner.ExistsAsync(key, cancellationToken);

    protected override Task<bool> DeleteCoreAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    protected override IAsyncEnumerable<string> ListCoreAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    protected override string GetLocationCore(string key) => inner.GetLocation(key);
}

/// <summary>A read-only stream that gives the first <c>breakAt</c> bytes of its content, then throws <see cref="IOException"/>.</summary>
internal sealed class BreakingStream(byte[] content, int breakAt) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= breakAt)
        {
            throw new IOException($"Simulated crash after {breakAt} of {content.Length} bytes.");
        }

        int n = Math.Min(buffer.Length, breakAt - _position);
        content.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>
/// Two small binary models trained once per test class (200 training rows, LightGBM with 10 and 4 rounds, evaluated
/// on a separate 100-row test file, gated on AUC &gt;= 0.5 so their validation passed), with deployment contexts
/// ready to publish.
/// </summary>
public sealed class TrainedModelsFixture : IAsyncLifetime
{
    public const int Seed = 7;

    private readonly TempFolder _folder = TestData.TempFolder();

    internal string TrainCsv { get; private set; } = string.Empty;

    internal string TestCsv { get; private set; } = string.Empty;

    internal PipelineResult ResultA { get; private set; } = null!;

    internal PipelineResult ResultB { get; private set; } = null!;

    internal DataTable TrainTable { get; private set; } = null!;

    internal DataTable TestTable { get; private set; } = null!;

    /// <summary>Model A, validation passed.</summary>
    internal DeploymentContext ContextA { get; private set; } = null!;

    /// <summary>Model B (another model file than A), validation passed.</summary>
    internal DeploymentContext ContextB { get; private set; } = null!;

    /// <summary>Model A with a failed validation.</summary>
    internal DeploymentContext FailedA => ContextA with
    {
        Validation = new ValidationResult(false, [new GateResult("auc >= 0.99", false, 0.8, 0.99, "auc is 0.8 on the test data, below 0.99.")]),
    };

    /// <summary>Model A without validation.</summary>
    internal DeploymentContext UnvalidatedA => ContextA with { Validation = null };

    public async ValueTask InitializeAsync()
    {
        TrainCsv = _folder.Write("train.csv", TestData.BinaryCsv(rows: 200, seed: 1));
        TestCsv = _folder.Write("test.csv", TestData.BinaryCsv(rows: 100, seed: 9));
        ResultA = await Builder(TrainCsv, TestCsv, Trainers.Binary.LightGbm(numberOfIterations: 10)).Validate(v => v.AtLeast(Metric.Auc, 0.5)).Build().RunAsync(cancellationToken: Ct);
        ResultB = await Builder(TrainCsv, TestCsv, Trainers.Binary.LightGbm(numberOfIterations: 4)).Validate(v => v.AtLeast(Metric.Auc, 0.5)).Build().RunAsync(cancellationToken: Ct);
        TrainTable = await ReadCsvAsync(TrainCsv);
        TestTable = await ReadCsvAsync(TestCsv);
        string fingerprint = DataFingerprint.Compute(TrainTable);
        ContextA = new DeploymentContext(ResultA.Model, ResultA.Metrics, ResultA.Validation, Seed) { TrainingData = TrainTable, TrainingMetrics = ResultA.TrainingMetrics, DataFingerprint = fingerprint };
        ContextB = new DeploymentContext(ResultB.Model, ResultB.Metrics, ResultB.Validation, Seed) { TrainingData = TrainTable, TrainingMetrics = ResultB.TrainingMetrics, DataFingerprint = fingerprint };
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }

    internal static PipelineBuilder Builder(string trainCsv, string testCsv, ITrainer trainer, int seed = Seed) => new PipelineBuilder(seed)
        .FromCsv(trainCsv)
        .TestOn(CsvDataSource.FromFile(testCsv))
        .Label("label")
        .Train(trainer);
}

/// <summary>Helpers for the registry tests.</summary>
internal static class RegistryTestKit
{
    public const string Name = "churn";

    public static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static string VersionKey(int version) => $"{Name}/versions/{version.ToString("D8", CultureInfo.InvariantCulture)}.json";

    public static float[] Scores(IDataView scored) => scored.GetColumn<float>("Score").ToArray();

    /// <summary>
    /// Replaces the model file of a version with <paramref name="bytes"/> and makes the manifest's SHA-256 and size match it,
    /// recomputing the manifest's own hash too (as whoever replaces both can), so that only the checks of the file itself remain.
    /// </summary>
    public static async Task ReplaceBlobWithMatchingManifestAsync(LocalArtifactStore store, int version, byte[] bytes)
    {
        string manifestPath = store.GetPath(VersionKey(version));
        JsonNode json = JsonNode.Parse(await File.ReadAllTextAsync(manifestPath, Ct))!;
        string modelKey = json["modelKey"]!.GetValue<string>();
        await File.WriteAllBytesAsync(store.GetPath(modelKey), bytes, Ct);
        json["sha256"] = Sha256Hex(bytes);
        json["bytes"] = bytes.LongLength;
        json["manifestSha256"] = ManifestIntegrity.Compute(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));
        await File.WriteAllTextAsync(manifestPath, json.ToJsonString(), Ct);
    }

    /// <summary>Files the local store left behind while writing (there must be none).</summary>
    public static string[] TempFiles(LocalArtifactStore store)
        => Directory.Exists(store.RootPath) ? Directory.GetFiles(store.RootPath, "*.mltk-tmp", SearchOption.AllDirectories) : [];
}

/// <summary>
/// An <see cref="ArtifactStoreBase"/> over another store that runs <c>afterExists</c> once, after the first
/// <see cref="IArtifactStore.ExistsAsync"/> whose key starts with <c>prefix</c> has been answered and before the answer
/// is returned: a deterministic way to let another registry client act between a check and the action that relies on it.
/// </summary>
internal sealed class InterleavingStore(IArtifactStore inner, string prefix, Func<Task> afterExists) : ArtifactStoreBase
{
    private int _fired;

    protected override Task<Stream> OpenReadCoreAsync(string key, CancellationToken cancellationToken) => inner.OpenReadAsync(key, cancellationToken);

    protected override Task WriteCoreAsync(string key, Stream content, ArtifactWriteMode mode, CancellationToken cancellationToken) => inner.WriteAsync(key, content, mode, cancellationToken);

    protected override async Task<bool> ExistsCoreAsync(string key, CancellationToken cancellationToken)
    {
        bool exists = await inner.ExistsAsync(key, cancellationToken);
        if (key.StartsWith(prefix, StringComparison.Ordinal) && Interlocked.Exchange(ref _fired, 1) == 0)
        {
            await afterExists();
        }

        return exists;
    }

    protected override Task<bool> DeleteCoreAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    protected override IAsyncEnumerable<string> ListCoreAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    protected override string GetLocationCore(string key) => inner.GetLocation(key);
}
