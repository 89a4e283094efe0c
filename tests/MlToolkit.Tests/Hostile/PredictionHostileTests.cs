using MlToolkit.Deployment;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Storage;
using MlToolkit.Tests.Deployment.Prediction;
using MlToolkit.Tests.Deployment.Registry;
using static MlToolkit.Tests.Deployment.Prediction.PredictionTestKit;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Hostile;

/// <summary>
/// A prediction service given what it cannot honour (a policy its manifest cannot support, a batch with a null row), and
/// reloaded over and over: it refuses clearly, names the input or the row, and keeps its memory bounded.
/// </summary>
public class PredictionHostileTests(RegistryHostileModelsFixture models) : IClassFixture<RegistryHostileModelsFixture>
{
    private static PredictionServiceOptions Reject() => new() { ReloadInterval = TimeSpan.Zero, UnseenCategories = UnseenCategoryPolicy.Reject };

    /// <summary>Publishes through the public <see cref="DeploymentContext"/> without training data, as a host that trains by itself would.</summary>
    private async Task<ModelRegistry> WithoutTrainingDataAsync(TempFolder folder)
    {
        var registry = new ModelRegistry(new LocalArtifactStore(folder.Path), RegistryTestKit.Name);
        DeploymentContext context = new(models.Binary.Model, models.Binary.TestMetrics, models.Binary.Validation, models.Binary.Seed);
        await registry.PublishAsync(context, Ct);
        await registry.SetAliasAsync("production", 1, cancellationToken: Ct);
        return registry;
    }

    [Fact]
    public async Task StartAsync_RejectUnseenButManifestWithoutCategories_RefusedNamingTheInputAndThePolicy()
    {
        using TempFolder folder = TestData.TempFolder();
        ModelRegistry registry = await WithoutTrainingDataAsync(folder);
        await using var untyped = new PredictionService(registry, Reject());
        await using var typed = new PredictionService<ChurnRow, ChurnOutput>(registry, Reject());

        ModelRegistryException a = await Assert.ThrowsAsync<ModelRegistryException>(() => untyped.StartAsync(Ct));
        ModelRegistryException b = await Assert.ThrowsAsync<ModelRegistryException>(() => typed.StartAsync(Ct));

        Assert.Equal(1, a.Version);
        Assert.StartsWith("cannot be served with UnseenCategories = Reject: its manifest does not know every category of input 'color' (it was published without training data", a.Reason, StringComparison.Ordinal);
        Assert.Contains("UnseenCategoryPolicy.Allow", a.Reason, StringComparison.Ordinal);
        Assert.Equal(a.Reason, b.Reason);
        Assert.Null(untyped.Version);
    }

    [Fact]
    public async Task StartAsync_RejectUnseenButCategoriesCutAt10000_RefusedSayingTheListIsCut()
    {
        // The training data handed to the publish has 10,001 distinct colours: more than a manifest records.
        using TempFolder folder = TestData.TempFolder();
        var csv = new System.Text.StringBuilder("x1,x2,color,flag,label\n");
        for (int i = 0; i <= ModelRegistry.MaxCategories; i++)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i % 10}.5,1.0,c{i:D5},{(i % 2 == 0 ? "true" : "false")},{(i % 3 == 0 ? "yes" : "no")}\n");
        }

        MlToolkit.Data.DataTable wide = await ReadCsvAsync(folder.Write("wide.csv", csv.ToString()));
        var registry = new ModelRegistry(new LocalArtifactStore(folder.Path), RegistryTestKit.Name);
        ModelManifest manifest = await registry.PublishAsync(models.Binary with { TrainingData = wide }, Ct);
        await registry.SetAliasAsync("production", 1, cancellationToken: Ct);
        await using var untyped = new PredictionService(registry, Reject());

        ModelRegistryException ex = await Assert.ThrowsAsync<ModelRegistryException>(() => untyped.StartAsync(Ct));

        ManifestColumn color = manifest.Inputs.Single(c => c.Name == "color");
        Assert.False(color.CategoriesComplete);
        Assert.Equal(ModelRegistry.MaxCategories, color.Categories!.Count);
        Assert.Contains("input 'color' (training had more than 10,000 of them and only the first 10,000 were recorded)", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_AllowUnseenAndManifestWithoutCategories_ServesAndCountsNothing()
    {
        using TempFolder folder = TestData.TempFolder();
        ModelRegistry registry = await WithoutTrainingDataAsync(folder);
        await using var untyped = new PredictionService(registry, Manual());
        await untyped.StartAsync(Ct);

        MlToolkit.Deployment.Prediction.Prediction p = untyped.Predict(Valid(r => r["color"] = "purple"));

        Assert.Equal(1, p.Version);
        Assert.Empty(p.UnseenCategories);
        Assert.Equal(0, untyped.UnseenCategories);
    }

    [Fact]
    public async Task StartAsync_RejectUnseenWithCompleteCategories_RefusesAnUnseenCategory()
    {
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, _) = await RegistryAsync(folder, models.Binary);
        await using var untyped = new PredictionService(registry, Reject());
        await untyped.StartAsync(Ct);

        var ex = Assert.Throws<PredictionInputException>(() => untyped.Predict(Valid(r => r["color"] = "purple")));

        Assert.Equal("color", ex.Field);
    }

    [Fact]
    public async Task PredictBatch_UntypedNullRow_RefusedNamingItsIndex()
    {
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, _) = await RegistryAsync(folder, models.Binary);
        await using var service = new PredictionService(registry, Manual());
        await service.StartAsync(Ct);

        var ex = Assert.Throws<PredictionInputException>(() => service.PredictBatch([Valid(), Valid(), Valid(), null!]));

        Assert.Equal(3, ex.Row);
        Assert.Equal("(row)", ex.Field);
        Assert.StartsWith("Row 3: field '(row)' is null", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictBatch_TypedNullRow_RefusedNamingItsIndex()
    {
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, _) = await RegistryAsync(folder, models.Binary);
        await using var service = new PredictionService<ChurnRow, ChurnOutput>(registry, Manual());
        await service.StartAsync(Ct);
        ChurnRow[] rows = ChurnRows(4);

        var ex = Assert.Throws<PredictionInputException>(() => service.PredictBatch([rows[0], rows[1], null!, rows[3]]));

        Assert.Equal(2, ex.Row);
        Assert.Equal("(row)", ex.Field);
    }

    [Fact]
    public async Task ReloadAsync_SameSchemaManyTimes_ReusesTheEmittedRowTypes()
    {
        const int Reloads = 10;
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, _) = await RegistryAsync(folder, [.. Enumerable.Repeat(models.Binary, Reloads + 1)]);
        await using var service = new PredictionService(registry, Manual());
        await service.StartAsync(Ct);
        Type input = service.FastEngine!.InputType;
        Type output = service.FastEngine.OutputType;
        int emittedBefore = DynamicRowEngine.EmittedTypes;

        for (int version = 2; version <= Reloads + 1; version++)
        {
            await registry.SetAliasAsync("production", version, cancellationToken: Ct);
            Assert.True(await service.ReloadAsync(Ct));
            Assert.Equal(version, service.Version);
            Assert.Same(input, service.FastEngine!.InputType);
            Assert.Same(output, service.FastEngine.OutputType);
        }

        Assert.Equal(Reloads, service.Reloads);
        // Other tests may emit types for their own schemas meanwhile, but not one pair per reload of this one.
        Assert.InRange(DynamicRowEngine.EmittedTypes - emittedBefore, 0, Reloads);
        Assert.Equal(Reloads + 1, service.Predict(Valid()).Version);
    }
}
