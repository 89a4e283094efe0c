using System.Reflection;
using Microsoft.ML;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using MlToolkit.Validation;
using static MlToolkit.Tests.Deployment.Registry.RegistryTestKit;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Deployment.Registry;

public class ModelRegistryPublishTests(TrainedModelsFixture f) : IClassFixture<TrainedModelsFixture>
{
    private static string LibraryVersion(Assembly assembly)
        => assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    [Fact]
    public async Task PublishAsync_ThreeTimes_GivesVersionsOneTwoThreeInOrder()
    {
        using TempFolder folder = TestData.TempFolder();
        var registry = new ModelRegistry(new LocalArtifactStore(folder.Path), Name);

        ModelManifest first = await registry.PublishAsync(f.ContextA, Ct);
        ModelManifest second = await registry.PublishAsync(f.ContextB, Ct);
        ModelManifest third = await registry.PublishAsync(f.ContextA, Ct);

        Assert.Equal([1, 2, 3], [first.Version, second.Version, third.Version]);
        Assert.Equal([1, 2, 3], (await registry.ListVersionsAsync(Ct)).Select(m => m.Version));
        Assert.Equal(first.Sha256, third.Sha256);
        Assert.NotEqual(first.Sha256, second.Sha256);

        // Content-addressed: the same model file is stored once.
        Assert.Equal(
            new[] { $"{first.Sha256}.zip", $"{second.Sha256}.zip" }.Order(StringComparer.Ordinal),
            Directory.GetFiles(Path.Combine(folder.Path, Name, "blobs")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["00000001.json", "00000002.json", "00000003.json"],
            Directory.GetFiles(Path.Combine(folder.Path, Name, "versions")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task PublishAsync_ThroughPipeline_ManifestDescribesModelDataAndFile()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        var clock = new FixedTimeProvider(Now);
        var registry = new ModelRegistry(store, Name, clock);

        PipelineResult result = await TrainedModelsFixture.Builder(f.TrainCsv, f.TestCsv, Trainers.Binary.LightGbm(numberOfIterations: 10))
            .Validate(v => v.AtLeast(Metric.Auc, 0.5))
            .PublishTo(registry, promoteTo: null)
            .Build()
            .RunAsync(cancellationToken: Ct);

        ModelManifest returned = await registry.GetManifestAsync(1, Ct);
        ModelManifest m = Assert.Single(await registry.ListVersionsAsync(Ct));
        Assert.Equal(2, m.Format);
        Assert.Matches("^[0-9a-f]{64}$", m.ManifestSha256);
        Assert.Equal(Name, m.Name);
        Assert.Equal(1, m.Version);
        Assert.Equal(MlTask.BinaryClassification, m.Task);
        Assert.Equal("LightGbm", m.Trainer);
        Assert.Equal("label", m.LabelColumn);
        Assert.Equal(["no", "yes"], m.Classes);

        // Inputs: the raw features (no label) with their kinds; the text column lists the categories seen in training.
        Assert.Equal(["x1", "x2", "color", "flag"], m.Inputs.Select(c => c.Name));
        Assert.Equal(["Number", "Number", "Text", "Boolean"], m.Inputs.Select(c => c.Kind));
        Assert.Equal(["blue", "green", "red"], m.Inputs.Single(c => c.Name == "color").Categories!);
        Assert.True(m.Inputs.Single(c => c.Name == "color").CategoriesComplete);
        Assert.All(m.Inputs.Where(c => c.Name != "color"), c => Assert.Null(c.Categories));
        Assert.All(m.Inputs, c => Assert.Null(c.Size));

        // Outputs: the three scoring columns, once each (in the output schema's order).
        Assert.Equal(
            [("PredictedLabel", "Boolean"), ("Probability", "Number"), ("Score", "Number")],
            m.Outputs.Select(c => (c.Name, c.Kind)).OrderBy(c => c.Name, StringComparer.Ordinal));
        Assert.All(m.Outputs, c => Assert.Null(c.Categories));

        // Metrics by data set: test and training (no validation part in this split).
        Assert.Equal(["test", "training"], m.Metrics.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(result.Metrics[Metric.Auc], m.Metrics["test"][Metric.Auc]);
        Assert.Equal(result.Metrics[Metric.LogLoss], m.Metrics["test"][Metric.LogLoss]);
        Assert.Equal(result.TrainingMetrics[Metric.Auc], m.Metrics["training"][Metric.Auc]);
        Assert.Equal(result.Metrics.Metrics.Keys.Order(StringComparer.Ordinal), m.Metrics["test"].Keys.Order(StringComparer.Ordinal));

        // Validation copied.
        Assert.NotNull(m.Validation);
        Assert.True(m.Validation.Passed);
        GateResult gate = Assert.Single(m.Validation.Gates);
        Assert.Equal("auc >= 0.5", gate.Name);
        Assert.True(gate.Passed);
        Assert.Equal(result.Metrics[Metric.Auc], gate.Actual);
        Assert.Equal(0.5, gate.Threshold);
        Assert.Null(m.Validation.Verdict);

        Assert.Equal(TrainedModelsFixture.Seed, m.Seed);
        Assert.Equal(LibraryVersion(typeof(ModelRegistry).Assembly), m.Libraries["MlToolkit"]);
        Assert.Equal(LibraryVersion(typeof(MLContext).Assembly), m.Libraries["Microsoft.ML"]);
        Assert.Equal(Environment.Version.ToString(), m.Libraries[".NET"]);
        Assert.Equal(Now, m.CreatedAt);
        Assert.Matches("^[0-9a-f]{64}$", m.DataFingerprint);

        // The model file: content-addressed, its SHA-256 and size are those of the stored bytes.
        byte[] blob = await File.ReadAllBytesAsync(store.GetPath(m.ModelKey), Ct);
        Assert.Equal(Sha256Hex(blob), m.Sha256);
        Assert.Equal(blob.LongLength, m.Bytes);
        Assert.Equal($"{Name}/blobs/{m.Sha256}.zip", m.ModelKey);
        Assert.Equal(m.Sha256, returned.Sha256);

        // The deployment result agrees with the manifest.
        DeploymentResultAssert(result, m, store);
    }

    private static void DeploymentResultAssert(PipelineResult result, ModelManifest m, LocalArtifactStore store)
    {
        MlToolkit.Deployment.DeploymentResult deployment = Assert.Single(result.Deployments);
        Assert.Equal(1, deployment.Version);
        Assert.Equal(m.ModelKey, deployment.Key);
        Assert.Equal(store.GetPath(m.ModelKey), deployment.Location);
        Assert.Equal(m.Sha256, deployment.Sha256);
        Assert.Equal(m.Bytes, deployment.Bytes);
        Assert.Null(deployment.PromotedTo);
        Assert.Null(deployment.PromotionSkippedReason);
    }

    [Fact]
    public async Task PublishAsync_SameDataTwiceThenOtherData_FingerprintEqualThenDifferent()
    {
        using TempFolder folder = TestData.TempFolder();
        var registry = new ModelRegistry(new LocalArtifactStore(folder.Path), Name);
        string other = folder.Write("other.csv", TestData.BinaryCsv(rows: 200, seed: 2));

        foreach (string train in new[] { f.TrainCsv, f.TrainCsv, other })
        {
            await TrainedModelsFixture.Builder(train, f.TestCsv, Trainers.Binary.LightGbm(numberOfIterations: 10))
                .PublishTo(registry, promoteTo: null)
                .Build()
                .RunAsync(cancellationToken: Ct);
        }

        IReadOnlyList<ModelManifest> versions = await registry.ListVersionsAsync(Ct);
        Assert.Equal([1, 2, 3], versions.Select(v => v.Version));
        Assert.All(versions, v => Assert.Matches("^[0-9a-f]{64}$", v.DataFingerprint));
        Assert.Equal(versions[0].DataFingerprint, versions[1].DataFingerprint);
        Assert.NotEqual(versions[0].DataFingerprint, versions[2].DataFingerprint);

        // Same data, same seed: the same model file, stored once.
        Assert.Equal(versions[0].Sha256, versions[1].Sha256);
        Assert.Equal(versions[0].ModelKey, versions[1].ModelKey);
        Assert.NotEqual(versions[0].Sha256, versions[2].Sha256);

        // Without validation, the manifest says so.
        Assert.All(versions, v => Assert.Null(v.Validation));
    }

    [Fact]
    public async Task PublishAsync_ContextWithTrainingData_ManifestHasItsFingerprintAndCategories()
    {
        using TempFolder folder = TestData.TempFolder();
        var registry = new ModelRegistry(new LocalArtifactStore(folder.Path), Name, new FixedTimeProvider(Now));

        ModelManifest m = await registry.PublishAsync(f.ContextA, Ct);

        Assert.Equal(f.ContextA.DataFingerprint, m.DataFingerprint);
        Assert.Equal(MlToolkit.Data.DataFingerprint.Compute(f.TrainTable), m.DataFingerprint);
        Assert.Equal(["blue", "green", "red"], m.Inputs.Single(c => c.Name == "color").Categories!);
        Assert.Equal(Now, m.CreatedAt);
        Assert.Equal(TrainedModelsFixture.Seed, m.Seed);
        Assert.True(m.Validation!.Passed);
    }

    [Fact]
    public async Task PublishAsync_ContextWithoutTrainingData_NoCategoriesAndEmptyFingerprint()
    {
        using TempFolder folder = TestData.TempFolder();
        var registry = new ModelRegistry(new LocalArtifactStore(folder.Path), Name);

        ModelManifest m = await registry.PublishAsync(f.ContextA with { TrainingData = null, DataFingerprint = null, TrainingMetrics = null }, Ct);

        Assert.All(m.Inputs, c => Assert.Null(c.Categories));
        Assert.All(m.Inputs, c => Assert.False(c.CategoriesComplete));
        Assert.Equal(string.Empty, m.DataFingerprint);
        Assert.Equal(["test"], m.Metrics.Keys);
    }
}
