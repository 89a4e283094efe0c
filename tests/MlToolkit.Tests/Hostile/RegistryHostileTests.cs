using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using MlToolkit.Data;
using MlToolkit.Deployment;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Tests.Deployment.Prediction;
using MlToolkit.Tests.Deployment.Registry;
using MlToolkit.Training;
using static MlToolkit.Tests.Deployment.Prediction.PredictionTestKit;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Hostile;

/// <summary>A binary churn model (classes no, yes) and a three-class model (setosa, versicolor, virginica), trained once.</summary>
public sealed class RegistryHostileModelsFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = TestData.TempFolder();

    internal DeploymentContext Binary { get; private set; } = null!;

    internal DeploymentContext Multiclass { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Binary = await ChurnModelsFixture.TrainAsync(_folder, 10);
        string train = _folder.Write("iris.csv", TestData.MulticlassCsv(rows: 300));
        DataTable table = await ReadCsvAsync(train);
        PipelineResult result = await new PipelineBuilder(seed: 4).FromCsv(train).Label("species")
            .Train(Trainers.Multiclass.LightGbm(numberOfIterations: 5))
            .Validate(v => v.AtLeast(Metric.MacroAccuracy, 0.1))
            .Build().RunAsync(cancellationToken: Ct);
        Multiclass = new DeploymentContext(result.Model, result.Metrics, result.Validation, 4) { TrainingData = table };
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A registry edited by hand, as a hostile or careless user would: the manifest's JSON changed in the store, with its
/// <c>manifestSha256</c> left as it was (the integrity check refuses it) or recomputed (the check against the model
/// file's own schema refuses it). Either way the version is never served, and the error names what differs.
/// </summary>
public class RegistryHostileTests(RegistryHostileModelsFixture models) : IClassFixture<RegistryHostileModelsFixture>
{
    private sealed record Setup(TempFolder Folder, LocalArtifactStore Store, ModelRegistry Registry) : IDisposable
    {
        public string ManifestPath(int version) => Store.GetPath(RegistryTestKit.VersionKey(version));

        public void Dispose() => Folder.Dispose();
    }

    private static async Task<Setup> PublishAsync(params DeploymentContext[] contexts)
    {
        TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        var registry = new ModelRegistry(store, RegistryTestKit.Name);
        foreach (DeploymentContext context in contexts)
        {
            await registry.PublishAsync(context, Ct);
        }

        await registry.SetAliasAsync("production", 1, force: true, cancellationToken: Ct);
        return new Setup(folder, store, registry);
    }

    /// <summary>Edits the stored manifest of <paramref name="version"/>; with <paramref name="rehash"/>, recomputes its manifestSha256 as an attacker who knows the algorithm would.</summary>
    private static async Task EditAsync(Setup s, int version, Action<JsonObject> edit, bool rehash)
    {
        string path = s.ManifestPath(version);
        JsonObject json = JsonNode.Parse(await File.ReadAllTextAsync(path, Ct))!.AsObject();
        string? before = json["manifestSha256"]?.GetValue<string>();
        edit(json);
        if (rehash)
        {
            json["manifestSha256"] = ManifestIntegrity.Compute(Encoding.UTF8.GetBytes(json.ToJsonString()));
        }
        else
        {
            Assert.Equal(before, json["manifestSha256"]?.GetValue<string>());
        }

        await File.WriteAllTextAsync(path, json.ToJsonString(), Ct);
    }

    private static void SwapClasses(JsonObject json)
    {
        JsonArray classes = json["classes"]!.AsArray();
        string[] values = [.. classes.Select(c => c!.GetValue<string>())];
        (values[0], values[1]) = (values[1], values[0]);
        json["classes"] = new JsonArray([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
    }

    private static JsonObject Input(JsonObject json, string name)
        => json["inputs"]!.AsArray().Select(i => i!.AsObject()).Single(i => i["name"]!.GetValue<string>() == name);

    private static async Task<ModelRegistryException> LoadFailsAsync(Setup s, int version = 1)
    {
        ModelRegistryException ex = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.LoadAsync(version, Ct));
        Assert.Equal(RegistryTestKit.Name, ex.Model);
        Assert.Equal(version, ex.Version);
        return ex;
    }

    private static void AssertIntegrityFailure(ModelRegistryException ex)
    {
        Assert.StartsWith("its manifest was changed after it was published: ", ex.Reason, StringComparison.Ordinal);
        Assert.Contains("manifestSha256", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_BinaryClassesSwappedHashUntouched_RefusedByTheIntegrityCheck()
    {
        using Setup s = await PublishAsync(models.Binary);
        await EditAsync(s, 1, SwapClasses, rehash: false);

        AssertIntegrityFailure(await LoadFailsAsync(s));
        AssertIntegrityFailure(await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.GetManifestAsync(1, Ct)));
        await using var service = new PredictionService(s.Registry, Manual());
        AssertIntegrityFailure(await Assert.ThrowsAsync<ModelRegistryException>(() => service.StartAsync(Ct)));
    }

    [Fact]
    public async Task LoadAsync_BinaryClassesSwappedHashRecomputed_RefusedByTheClassesTheModelFileRecords()
    {
        using Setup s = await PublishAsync(models.Binary);
        await EditAsync(s, 1, SwapClasses, rehash: true);

        ModelRegistryException ex = await LoadFailsAsync(s);

        Assert.StartsWith("its manifest does not match its model file: ", ex.Reason, StringComparison.Ordinal);
        Assert.Contains("manifest classes are [yes, no] but the model's are [no, yes]", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_MulticlassClassesSwappedHashUntouched_RefusedByTheIntegrityCheck()
    {
        using Setup s = await PublishAsync(models.Multiclass);
        await EditAsync(s, 1, SwapClasses, rehash: false);

        AssertIntegrityFailure(await LoadFailsAsync(s));
    }

    [Fact]
    public async Task LoadAsync_MulticlassClassesSwappedHashRecomputed_RefusedByTheModelsScoreSlotNames()
    {
        using Setup s = await PublishAsync(models.Multiclass);
        await EditAsync(s, 1, SwapClasses, rehash: true);

        ModelRegistryException ex = await LoadFailsAsync(s);

        Assert.Contains("manifest classes are [versicolor, setosa, virginica] but the model's are [setosa, versicolor, virginica]", ex.Reason, StringComparison.Ordinal);
        await using var service = new PredictionService(s.Registry, Manual());
        ModelRegistryException start = await Assert.ThrowsAsync<ModelRegistryException>(() => service.StartAsync(Ct));
        Assert.Equal(ex.Reason, start.Reason);
    }

    [Fact]
    public async Task LoadAsync_InputKindChangedHashUntouched_RefusedByTheIntegrityCheck()
    {
        using Setup s = await PublishAsync(models.Binary);
        await EditAsync(s, 1, json => Input(json, "x1")["kind"] = "Text", rehash: false);

        AssertIntegrityFailure(await LoadFailsAsync(s));
    }

    [Fact]
    public async Task LoadAsync_InputKindChangedHashRecomputed_RefusedNamingTheInputAndBothTypes()
    {
        using Setup s = await PublishAsync(models.Binary);
        await EditAsync(s, 1, json => Input(json, "x1")["kind"] = "Text", rehash: true);

        ModelRegistryException ex = await LoadFailsAsync(s);

        Assert.Contains("manifest input 'x1' is Text but the model reads Single", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_InputKindChangedHashRecomputed_ModelRegistryExceptionNotARawMlNetError()
    {
        using Setup s = await PublishAsync(models.Binary);
        await EditAsync(s, 1, json => Input(json, "color")["kind"] = "Number", rehash: true);
        await using var untyped = new PredictionService(s.Registry, Manual());
        await using var typed = new PredictionService<ChurnRow, ChurnOutput>(s.Registry, Manual());

        ModelRegistryException a = await Assert.ThrowsAsync<ModelRegistryException>(() => untyped.StartAsync(Ct));
        ModelRegistryException b = await Assert.ThrowsAsync<ModelRegistryException>(() => typed.StartAsync(Ct));

        Assert.Contains("manifest input 'color' is Number but the model reads String", a.Reason, StringComparison.Ordinal);
        Assert.Equal(a.Reason, b.Reason);
        Assert.Null(a.InnerException);
    }

    [Fact]
    public async Task LoadAsync_InputRemovedHashRecomputed_RefusedNamingTheInput()
    {
        using Setup s = await PublishAsync(models.Binary);
        await EditAsync(s, 1, json => json["inputs"]!.AsArray().Remove(Input(json, "flag")), rehash: true);

        ModelRegistryException ex = await LoadFailsAsync(s);

        Assert.Contains("the model reads 'flag' (Boolean) but the manifest has no such input", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_InputRemovedHashUntouched_RefusedByTheIntegrityCheck()
    {
        using Setup s = await PublishAsync(models.Binary);
        await EditAsync(s, 1, json => json["inputs"]!.AsArray().Remove(Input(json, "flag")), rehash: false);

        AssertIntegrityFailure(await LoadFailsAsync(s));
    }

    [Fact]
    public async Task LoadAsync_InputAddedAndRenamedHashRecomputed_RefusedListingEveryDifference()
    {
        using Setup s = await PublishAsync(models.Binary);
        await EditAsync(s, 1, json =>
        {
            Input(json, "x2")["name"] = "tenure";
            json["inputs"]!.AsArray().Add(new JsonObject { ["name"] = "extra", ["kind"] = "Number" });
        }, rehash: true);

        ModelRegistryException ex = await LoadFailsAsync(s);

        Assert.Contains("the model reads 'x2' (Single) but the manifest has no such input", ex.Reason, StringComparison.Ordinal);
        Assert.Contains("manifest input 'tenure' is not read by the model", ex.Reason, StringComparison.Ordinal);
        Assert.Contains("manifest input 'extra' is not read by the model", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_TaskChangedHashRecomputed_RefusedNamingTheTask()
    {
        using Setup s = await PublishAsync(models.Binary);
        await EditAsync(s, 1, json =>
        {
            json["task"] = "Regression";
            json["classes"] = new JsonArray();
        }, rehash: true);

        ModelRegistryException ex = await LoadFailsAsync(s);

        Assert.Contains("manifest task is Regression but the model is BinaryClassification", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_ClassesGivenTwiceIgnoringCase_RefusedAsInvalid()
    {
        // The manifest is read case-insensitively, and a repeated property's last value would win.
        using Setup s = await PublishAsync(models.Binary);
        string path = s.ManifestPath(1);
        string text = await File.ReadAllTextAsync(path, Ct);
        await File.WriteAllTextAsync(path, text.TrimEnd().TrimEnd('}') + ", \"Classes\": [\"yes\", \"no\"] }", Ct);

        ModelRegistryException ex = await LoadFailsAsync(s);

        Assert.StartsWith("its manifest is not valid JSON (", ex.Reason, StringComparison.Ordinal);
        Assert.Contains("'Classes' appears more than once", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetAliasAsync_FailedValidationEditedToPassed_RefusedByTheIntegrityCheck()
    {
        using Setup s = await PublishAsync(models.Binary, models.Binary with
        {
            Validation = new MlToolkit.Validation.ValidationResult(false, [new MlToolkit.Validation.GateResult("auc >= 0.99", false, 0.8, 0.99, "auc is 0.8.")]),
        });
        await EditAsync(s, 2, json => json["validation"]!["passed"] = true, rehash: false);

        ModelRegistryException ex = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.SetAliasAsync("production", 2, cancellationToken: Ct));

        Assert.Equal(2, ex.Version);
        AssertIntegrityFailure(ex);
        Assert.Equal(1, (await s.Registry.GetAliasAsync("production", Ct))!.Version);
    }

    [Fact]
    public async Task GetManifestAsync_ManifestWithoutItsHash_RefusedAsWrittenBeforeTheCheck()
    {
        using Setup s = await PublishAsync(models.Binary);
        JsonObject json = JsonNode.Parse(await File.ReadAllTextAsync(s.ManifestPath(1), Ct))!.AsObject();
        Assert.True(json.Remove("manifestSha256"));
        json["format"] = 1;
        await File.WriteAllTextAsync(s.ManifestPath(1), json.ToJsonString(), Ct);

        ModelRegistryException ex = await Assert.ThrowsAsync<ModelRegistryException>(() => s.Registry.GetManifestAsync(1, Ct));

        Assert.Equal("its manifest has no manifestSha256 (format 1, written before manifests were covered by the integrity check), so an edit to it could not be detected; publish the model again.", ex.Reason);
    }

    [Fact]
    public async Task LoadAsync_ModelFileWithoutItsClassesEntry_Refused()
    {
        // A model file (and manifest) rewritten so that only the entry that records the task and classes is missing.
        using Setup s = await PublishAsync(models.Binary);
        ModelManifest manifest = await s.Registry.GetManifestAsync(1, Ct);
        byte[] bytes = await File.ReadAllBytesAsync(s.Store.GetPath(manifest.ModelKey), Ct);
        using var stripped = new MemoryStream();
        stripped.Write(bytes);
        using (var zip = new ZipArchive(stripped, ZipArchiveMode.Update, leaveOpen: true))
        {
            ZipArchiveEntry entry = Assert.Single(zip.Entries, e => e.FullName.StartsWith("MlToolkit/", StringComparison.Ordinal));
            entry.Delete();
        }

        await RegistryTestKit.ReplaceBlobWithMatchingManifestAsync(s.Store, 1, stripped.ToArray());
        await EditAsync(s, 1, _ => { }, rehash: true);

        ModelRegistryException ex = await LoadFailsAsync(s);

        Assert.StartsWith("its model file does not record the task and classes it was trained for", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReloadAsync_NewVersionWithEditedManifest_KeepsServingAndNamesTheField()
    {
        using Setup s = await PublishAsync(models.Multiclass, models.Multiclass);
        await using var service = new PredictionService(s.Registry, Manual());
        await service.StartAsync(Ct);
        await EditAsync(s, 2, SwapClasses, rehash: true);
        await s.Registry.SetAliasAsync("production", 2, cancellationToken: Ct);

        bool reloaded = await service.ReloadAsync(Ct);

        Assert.False(reloaded);
        Assert.Equal(1, service.Version);
        ModelRegistryException ex = Assert.IsType<ModelRegistryException>(service.LastReloadError);
        Assert.Equal(2, ex.Version);
        Assert.Contains("manifest classes are [versicolor, setosa, virginica]", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteVersionAsync_TamperedManifest_StillDeletedAsTheRemedy()
    {
        using Setup s = await PublishAsync(models.Binary, models.Binary);
        await EditAsync(s, 2, SwapClasses, rehash: false);

        await s.Registry.DeleteVersionAsync(2, Ct);

        Assert.False(File.Exists(s.ManifestPath(2)));
        Assert.Equal([1], (await s.Registry.ListVersionsAsync(Ct)).Select(m => m.Version));
    }

    [Fact]
    public async Task PublishAsync_Manifest_RecordsItsHashAndWhetherCategoriesAreComplete()
    {
        using Setup s = await PublishAsync(models.Binary, models.Binary with { TrainingData = null });
        byte[] json = await File.ReadAllBytesAsync(s.ManifestPath(1), Ct);

        ModelManifest withData = await s.Registry.GetManifestAsync(1, Ct);
        ModelManifest withoutData = await s.Registry.GetManifestAsync(2, Ct);

        Assert.Equal(2, withData.Format);
        Assert.Equal(ManifestIntegrity.Compute(json), withData.ManifestSha256);
        Assert.Matches("^[0-9a-f]{64}$", withData.ManifestSha256);
        ManifestColumn color = withData.Inputs.Single(c => c.Name == "color");
        Assert.True(color.CategoriesComplete);
        Assert.Equal(["blue", "green", "red"], color.Categories!);
        ManifestColumn unknown = withoutData.Inputs.Single(c => c.Name == "color");
        Assert.False(unknown.CategoriesComplete);
        Assert.Null(unknown.Categories);
    }

    [Fact]
    public void ManifestIntegrity_SameContentAnotherLayout_SameHash()
    {
        string a = ManifestIntegrity.Compute("""{"b":[1,2.50,"x"],"a":{"y":true,"x":null},"manifestSha256":"00"}"""u8);
        string b = ManifestIntegrity.Compute("""{ "a": { "x": null, "y": true }, "b": [ 1, 2.50, "x" ] }"""u8);
        string c = ManifestIntegrity.Compute("""{"a":{"x":null,"y":true},"b":[2.50,1,"x"]}"""u8);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }
}
