using System.IO.Compression;
using System.Text;
using MlToolkit.Deployment.Registry;
using MlToolkit.Storage;
using static MlToolkit.Tests.Deployment.Registry.RegistryTestKit;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Deployment.Registry;

public class ModelRegistryLoadTests(TrainedModelsFixture f) : IClassFixture<TrainedModelsFixture>
{
    private sealed record Setup(TempFolder Folder, LocalArtifactStore Store, ModelRegistry Registry, ModelManifest Manifest) : IDisposable
    {
        public string BlobPath => Store.GetPath(Manifest.ModelKey);

        public void Dispose() => Folder.Dispose();
    }

    private async Task<Setup> PublishAsync()
    {
        TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        var registry = new ModelRegistry(store, Name);
        ModelManifest manifest = await registry.PublishAsync(f.ContextA, Ct);
        return new Setup(folder, store, registry, manifest);
    }

    private static async Task<ModelRegistryException> LoadFailsAsync(Setup s, int version = 1)
    {
        ModelRegistryException ex = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.LoadAsync(version, Ct));
        Assert.Equal(Name, ex.Model);
        Assert.Equal(version, ex.Version);
        Assert.StartsWith($"Model '{Name}' version {version}: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(ex.Reason, ex.Message, StringComparison.Ordinal);
        return ex;
    }

    [Fact]
    public async Task LoadAsync_GoodVersion_PredictsLikeTheTrainedModel()
    {
        using Setup s = await PublishAsync();

        LoadedModel loaded = await s.Registry.LoadAsync(1, Ct);

        Assert.Equal(1, loaded.Manifest.Version);
        Assert.Equal(s.Manifest.Sha256, loaded.Manifest.Sha256);
        Assert.Equal(["x1", "x2", "color", "flag"], loaded.InputSchema.Select(c => c.Name));
        float[] expected = Scores(f.ResultA.Model.Transform(f.TestTable));
        float[] actual = Scores(loaded.Transformer.Transform(f.TestTable));
        Assert.Equal(100, actual.Length);
        Assert.Equal(expected, actual);
        Assert.True(expected.Distinct().Count() > 10, "The scores should vary between rows.");
    }

    [Fact]
    public async Task LoadAsync_ByAlias_LoadsTheVersionItPointsAt()
    {
        using Setup s = await PublishAsync();
        await s.Registry.PublishAsync(f.ContextB, Ct);
        await s.Registry.SetAliasAsync("production", 2, cancellationToken: Ct);

        LoadedModel loaded = await s.Registry.LoadAsync("production", Ct);

        Assert.Equal(2, loaded.Manifest.Version);
        Assert.Equal(Scores(f.ResultB.Model.Transform(f.TestTable)), Scores(loaded.Transformer.Transform(f.TestTable)));
    }

    [Fact]
    public async Task LoadAsync_MissingModelFile_RejectedAsMissing()
    {
        using Setup s = await PublishAsync();
        File.Delete(s.BlobPath);

        ModelRegistryException ex = await LoadFailsAsync(s);

        Assert.Equal("its model file is missing.", ex.Reason);
        Assert.Equal(s.BlobPath, ex.DataSource);
    }

    [Fact]
    public async Task LoadAsync_EmptyModelFile_RejectedAsEmpty()
    {
        using Setup s = await PublishAsync();
        await File.WriteAllBytesAsync(s.BlobPath, [], Ct);

        ModelRegistryException ex = await LoadFailsAsync(s);

        Assert.Equal("its model file is empty.", ex.Reason);
        Assert.Null(ex.InnerException);
    }

    [Fact]
    public async Task LoadAsync_TruncatedModelFile_RejectedWithBothSizes()
    {
        using Setup s = await PublishAsync();
        byte[] bytes = await File.ReadAllBytesAsync(s.BlobPath, Ct);
        await File.WriteAllBytesAsync(s.BlobPath, bytes[..^100], Ct);

        ModelRegistryException ex = await LoadFailsAsync(s);

        Assert.Equal($"its model file has {bytes.Length - 100} bytes but the manifest says {bytes.Length} (truncated or replaced).", ex.Reason);
        Assert.Null(ex.InnerException);
    }

    [Fact]
    public async Task LoadAsync_OneByteFlipped_RejectedBySha256Mismatch()
    {
        using Setup s = await PublishAsync();
        byte[] bytes = await File.ReadAllBytesAsync(s.BlobPath, Ct);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(s.BlobPath, bytes, Ct);

        ModelRegistryException ex = await LoadFailsAsync(s);

        Assert.Equal($"its model file's SHA-256 is {Sha256Hex(bytes)} but the manifest says {s.Manifest.Sha256} (the file was changed); it is not loaded.", ex.Reason);
        Assert.Null(ex.InnerException);
    }

    [Fact]
    public async Task LoadAsync_RandomBytesWithMatchingManifest_RejectedAsNotAZip()
    {
        using Setup s = await PublishAsync();
        byte[] junk = new byte[4096];
        new Random(3).NextBytes(junk);
        junk[0] = (byte)'M'; // make sure it does not start with "PK"
        await ReplaceBlobWithMatchingManifestAsync(s.Store, 1, junk);

        ModelRegistryException ex = await LoadFailsAsync(s);

        Assert.Equal("its model file is not an ML.NET model (no zip signature).", ex.Reason);
        Assert.Null(ex.InnerException);
    }

    [Fact]
    public async Task LoadAsync_ZipThatIsNotAModelWithMatchingManifest_RejectedByMlNet()
    {
        using Setup s = await PublishAsync();
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using Stream entry = await archive.CreateEntry("readme.txt").OpenAsync(Ct);
            await entry.WriteAsync(Encoding.UTF8.GetBytes("not a model"), Ct);
        }

        await ReplaceBlobWithMatchingManifestAsync(s.Store, 1, zip.ToArray());

        ModelRegistryException ex = await LoadFailsAsync(s);

        Assert.StartsWith("ML.NET could not load its model file: ", ex.Reason, StringComparison.Ordinal);
        Assert.NotNull(ex.InnerException);
        Assert.Contains(ex.InnerException.Message, ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_MissingVersion_RejectedAsNotExisting()
    {
        using Setup s = await PublishAsync();

        ModelRegistryException ex = await LoadFailsAsync(s, version: 2);

        Assert.Equal("it does not exist.", ex.Reason);
        Assert.Equal(s.Store.GetPath(VersionKey(2)), ex.DataSource);
    }

    [Fact]
    public async Task LoadAsync_UnsetAlias_RejectedNamingTheAlias()
    {
        using Setup s = await PublishAsync();

        ModelRegistryException ex = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.LoadAsync("production", Ct));

        Assert.Equal(Name, ex.Model);
        Assert.Null(ex.Version);
        Assert.Equal("alias 'production' is not set.", ex.Reason);
        Assert.StartsWith($"Model '{Name}': alias 'production' is not set.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_InvalidManifestJson_RejectedAsInvalidJson()
    {
        using Setup s = await PublishAsync();
        await File.WriteAllTextAsync(s.Store.GetPath(VersionKey(1)), "{ \"name\": \"churn\", \"version\": ", Ct);

        ModelRegistryException ex = await LoadFailsAsync(s);

        Assert.StartsWith("its manifest is not valid JSON (", ex.Reason, StringComparison.Ordinal);
        Assert.IsAssignableFrom<System.Text.Json.JsonException>(ex.InnerException);
    }

    [Fact]
    public async Task LoadAsync_ManifestOfAnotherVersion_RejectedNamingWhatItDescribes()
    {
        using Setup s = await PublishAsync();
        File.Copy(s.Store.GetPath(VersionKey(1)), s.Store.GetPath(VersionKey(2)));

        ModelRegistryException ex = await LoadFailsAsync(s, version: 2);

        Assert.Equal($"its manifest describes '{Name}' version 1.", ex.Reason);
    }

    [Fact]
    public async Task LoadAsync_AliasOnTamperedVersion_RejectedWithTheVersion()
    {
        using Setup s = await PublishAsync();
        await s.Registry.SetAliasAsync("production", 1, cancellationToken: Ct);
        byte[] bytes = await File.ReadAllBytesAsync(s.BlobPath, Ct);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(s.BlobPath, bytes, Ct);

        ModelRegistryException ex = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.LoadAsync("production", Ct));

        Assert.Equal(1, ex.Version);
        Assert.Contains("SHA-256", ex.Reason, StringComparison.Ordinal);
    }
}
