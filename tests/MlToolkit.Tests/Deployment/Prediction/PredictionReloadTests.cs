using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Storage;
using static MlToolkit.Tests.Deployment.Prediction.PredictionTestKit;
using static MlToolkit.Tests.PipelineTestKit;
using PredictionResult = MlToolkit.Deployment.Prediction.Prediction;

namespace MlToolkit.Tests.Deployment.Prediction;

/// <summary>Starting, following the alias, and refusing a version that cannot be served.</summary>
public class PredictionReloadTests(ChurnModelsFixture models) : IClassFixture<ChurnModelsFixture>
{
    private static readonly ChurnRow[] Rows = ChurnRows(200, seed: 3);

    /// <summary>Overwrites a version's model file with other bytes of the same length (so only the SHA-256 check can catch it).</summary>
    private static async Task TamperAsync(ModelRegistry registry, LocalArtifactStore store, int version)
    {
        ModelManifest manifest = await registry.GetManifestAsync(version, Ct);
        string path = store.GetPath(manifest.ModelKey);
        Assert.Equal(Path.Combine(store.RootPath, Name, "blobs", manifest.Sha256 + ".zip"), path);
        byte[] bytes = await File.ReadAllBytesAsync(path, Ct);
        for (int i = bytes.Length / 2; i < (bytes.Length / 2) + 64; i++)
        {
            bytes[i] ^= 0x5A;
        }

        await File.WriteAllBytesAsync(path, bytes, Ct);
    }

    private static void AssertAnswers(PredictionService<ChurnRow, ChurnOutput> service, ChurnOutput[] expected, int version)
    {
        for (int r = 0; r < Rows.Length; r++)
        {
            (ChurnOutput output, int answeredBy) = service.Predict(Rows[r]);
            Assert.Equal(version, answeredBy);
            Assert.True(Same(expected[r], output), $"row {r}: version {version} says {Describe(expected[r])}, the service {Describe(output)}");
        }
    }

    [Fact]
    public async Task ReloadAsync_AliasMovedToANewVersion_ServesItAndReportsIt()
    {
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, _) = await RegistryAsync(folder, models.ContextA);
        await using var service = new PredictionService<ChurnRow, ChurnOutput>(registry, Manual());
        await using var untyped = new PredictionService(registry, Manual());
        await service.StartAsync(Ct);
        await untyped.StartAsync(Ct);
        ChurnOutput[] v1 = await OwnAnswersAsync(registry, 1, Rows);
        AssertAnswers(service, v1, 1);

        ModelManifest published = await registry.PublishAsync(models.ContextB, Ct);
        await registry.SetAliasAsync("production", 2, cancellationToken: Ct);
        ChurnOutput[] v2 = await OwnAnswersAsync(registry, 2, Rows);
        bool reloaded = await service.ReloadAsync(Ct);
        bool untypedReloaded = await untyped.ReloadAsync(Ct);

        Assert.Equal(2, published.Version);
        Assert.True(reloaded);
        Assert.True(untypedReloaded);
        Assert.Equal(2, service.Version);
        Assert.Equal(2, service.Manifest.Version);
        Assert.Equal(1, service.Reloads);
        Assert.Null(service.LastReloadError);
        // The two versions disagree, so answering with the old one could not pass unnoticed.
        Assert.True(Enumerable.Range(0, Rows.Length).Count(r => !SameBits(v1[r].Probability, v2[r].Probability)) > Rows.Length / 2);
        AssertAnswers(service, v2, 2);
        for (int r = 0; r < Rows.Length; r++)
        {
            PredictionResult p = untyped.Predict(Untyped(Rows[r]));
            Assert.Equal(2, p.Version);
            Assert.Equal(v2[r].Probability, p.Probability!.Value);
        }

        Assert.False(await service.ReloadAsync(Ct));
        Assert.Equal(2, service.Version);
        Assert.Equal(1, service.Reloads);
    }

    [Fact]
    public async Task ReloadAsync_AliasUnchanged_ReturnsFalse()
    {
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, _) = await RegistryAsync(folder, models.ContextA, models.ContextB);
        await using var service = new PredictionService<ChurnRow, ChurnOutput>(registry, Manual());
        await service.StartAsync(Ct);

        Assert.False(await service.ReloadAsync(Ct));
        Assert.Equal(1, service.Version);
        Assert.Equal(0, service.Reloads);
    }

    [Fact]
    public async Task ReloadAsync_TamperedVersion_KeepsServingTheWorkingOneUntilRolledBack()
    {
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, LocalArtifactStore store) = await RegistryAsync(folder, models.ContextA, models.ContextB, models.ContextC);
        await using var service = new PredictionService<ChurnRow, ChurnOutput>(registry, Manual());
        await service.StartAsync(Ct);
        ChurnOutput[] v1 = await OwnAnswersAsync(registry, 1, Rows);
        ChurnOutput[] v2 = await OwnAnswersAsync(registry, 2, Rows);
        await registry.SetAliasAsync("production", 2, cancellationToken: Ct);
        Assert.True(await service.ReloadAsync(Ct));

        await TamperAsync(registry, store, 3);
        await registry.SetAliasAsync("production", 3, force: true, cancellationToken: Ct);
        bool reloaded = await service.ReloadAsync(Ct);

        Assert.False(reloaded);
        Assert.Equal(2, service.Version);
        Assert.Equal(1, service.Reloads);
        var error = Assert.IsType<ModelRegistryException>(service.LastReloadError);
        Assert.Equal(3, error.Version);
        Assert.Contains("SHA-256", error.Reason, StringComparison.Ordinal);
        AssertAnswers(service, v2, 2);

        // Trying again fails again, and still serves version 2.
        Assert.False(await service.ReloadAsync(Ct));
        Assert.Equal(2, service.Version);

        // Rolling back to 2 leaves the service as it is; rolling back once more moves it to 1.
        Assert.Equal(2, (await registry.RollbackAsync("production", Ct)).Version);
        Assert.False(await service.ReloadAsync(Ct));
        Assert.Equal(2, service.Version);
        AssertAnswers(service, v2, 2);
        Assert.Equal(1, (await registry.RollbackAsync("production", Ct)).Version);
        Assert.True(await service.ReloadAsync(Ct));
        Assert.Equal(1, service.Version);
        Assert.Equal(2, service.Reloads);
        Assert.Null(service.LastReloadError);
        AssertAnswers(service, v1, 1);
    }

    [Fact]
    public async Task ReloadAsync_UntypedServiceAndTamperedVersion_KeepsServingTheWorkingOne()
    {
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, LocalArtifactStore store) = await RegistryAsync(folder, models.ContextA, models.ContextB);
        await using var service = new PredictionService(registry, Manual());
        await service.StartAsync(Ct);
        PredictionResult before = service.Predict(Valid());

        await TamperAsync(registry, store, 2);
        await registry.SetAliasAsync("production", 2, cancellationToken: Ct);

        Assert.False(await service.ReloadAsync(Ct));
        Assert.Equal(1, service.Version);
        Assert.Equal(2, Assert.IsType<ModelRegistryException>(service.LastReloadError).Version);
        PredictionResult after = service.Predict(Valid());
        Assert.Equal((1, before.Probability, before.PredictedLabel), (after.Version, after.Probability, after.PredictedLabel));
    }

    [Fact]
    public async Task StartAsync_ReloadIntervalSet_FollowsTheAliasByItself()
    {
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, _) = await RegistryAsync(folder, models.ContextA, models.ContextB);
        await using var service = new PredictionService<ChurnRow, ChurnOutput>(registry, new PredictionServiceOptions { ReloadInterval = TimeSpan.FromMilliseconds(50) });
        await service.StartAsync(Ct);
        Assert.Equal(1, service.Version);
        ChurnOutput[] v2 = await OwnAnswersAsync(registry, 2, Rows);

        await registry.SetAliasAsync("production", 2, cancellationToken: Ct);
        for (int i = 0; i < 500 && service.Version != 2; i++)
        {
            await Task.Delay(20, Ct);
        }

        Assert.Equal(2, service.Version);
        Assert.Equal(1, service.Reloads);
        Assert.Null(service.LastReloadError);
        AssertAnswers(service, v2, 2);
    }

    [Fact]
    public async Task StartAsync_ReloadIntervalSetAndTamperedVersion_RecordsTheErrorAndKeepsServing()
    {
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, LocalArtifactStore store) = await RegistryAsync(folder, models.ContextA, models.ContextB);
        await using var service = new PredictionService<ChurnRow, ChurnOutput>(registry, new PredictionServiceOptions { ReloadInterval = TimeSpan.FromMilliseconds(50) });
        await service.StartAsync(Ct);
        ChurnOutput[] v1 = await OwnAnswersAsync(registry, 1, Rows);

        await TamperAsync(registry, store, 2);
        await registry.SetAliasAsync("production", 2, cancellationToken: Ct);
        for (int i = 0; i < 500 && service.LastReloadError is null; i++)
        {
            await Task.Delay(20, Ct);
        }

        Assert.Equal(2, Assert.IsType<ModelRegistryException>(service.LastReloadError).Version);
        Assert.Equal(1, service.Version);
        Assert.Equal(0, service.Reloads);
        AssertAnswers(service, v1, 1);
    }

    [Fact]
    public async Task StartAsync_AliasNotSet_ThrowsModelRegistryException()
    {
        using TempFolder folder = TestData.TempFolder();
        var registry = new ModelRegistry(new LocalArtifactStore(folder.Path), Name);
        await registry.PublishAsync(models.ContextA, Ct);
        await using var typed = new PredictionService<ChurnRow, ChurnOutput>(registry, Manual());
        await using var untyped = new PredictionService(registry, new PredictionServiceOptions { ReloadInterval = TimeSpan.Zero, Alias = "staging" });

        var typedError = await Assert.ThrowsAsync<ModelRegistryException>(() => typed.StartAsync(Ct));
        var untypedError = await Assert.ThrowsAsync<ModelRegistryException>(() => untyped.StartAsync(Ct));

        Assert.Contains("'production' is not set", typedError.Reason, StringComparison.Ordinal);
        Assert.Contains("'staging' is not set", untypedError.Reason, StringComparison.Ordinal);
        Assert.Null(typed.Version);
        Assert.Null(untyped.Version);
    }

    [Fact]
    public async Task StartAsync_AliasOnATamperedVersion_ThrowsModelRegistryException()
    {
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, LocalArtifactStore store) = await RegistryAsync(folder, models.ContextA);
        await TamperAsync(registry, store, 1);
        await using var service = new PredictionService<ChurnRow, ChurnOutput>(registry, Manual());

        var ex = await Assert.ThrowsAsync<ModelRegistryException>(() => service.StartAsync(Ct));

        Assert.Equal(1, ex.Version);
        Assert.Null(service.Version);
        Assert.Throws<InvalidOperationException>(() => service.Predict(Rows[0]));
    }

    [Fact]
    public async Task Predict_BeforeStartAsync_ThrowsInvalidOperationException()
    {
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, _) = await RegistryAsync(folder, models.ContextA);
        await using var typed = new PredictionService<ChurnRow, ChurnOutput>(registry, Manual());
        await using var untyped = new PredictionService(registry, Manual());

        Assert.Throws<InvalidOperationException>(() => typed.Predict(Rows[0]));
        Assert.Throws<InvalidOperationException>(() => typed.PredictBatch(Rows));
        Assert.Throws<InvalidOperationException>(() => untyped.Predict(Valid()));
        Assert.Throws<InvalidOperationException>(() => untyped.PredictBatch([Valid(), Valid()]));
        Assert.Throws<InvalidOperationException>(() => untyped.Manifest);
        Assert.Null(typed.Version);
        Assert.Null(untyped.Version);
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        using TempFolder folder = TestData.TempFolder();
        var registry = new ModelRegistry(new LocalArtifactStore(folder.Path), Name);

        var interval = Assert.Throws<ArgumentOutOfRangeException>(() => new PredictionService(registry, new PredictionServiceOptions { ReloadInterval = TimeSpan.FromSeconds(-1) }));
        var batch = Assert.Throws<ArgumentOutOfRangeException>(() => new PredictionService<ChurnRow, ChurnOutput>(registry, new PredictionServiceOptions { MaxBatchSize = 0 }));
        var alias = Assert.Throws<ArgumentException>(() => new PredictionService(registry, new PredictionServiceOptions { Alias = " " }));

        Assert.Equal("ReloadInterval", interval.ParamName);
        Assert.Equal("MaxBatchSize", batch.ParamName);
        Assert.Equal("Alias", alias.ParamName);
        Assert.Throws<ArgumentNullException>(() => new PredictionService(null!));
    }
}
