using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Data;
using MlToolkit.Deployment;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Deployment;

public class ModelFileDeployerTests
{
    private static async Task<(PipelineResult Result, LocalArtifactStore Store, string Csv)> TrainAsync(TempFolder folder, params string[] keys)
    {
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 300));
        var store = new LocalArtifactStore(Path.Combine(folder.Path, "store"));
        PipelineBuilder builder = new PipelineBuilder(seed: 21).FromCsv(csv).Label("label").Train(Trainers.Binary.SdcaLogisticRegression());
        foreach (string key in keys)
        {
            builder.SaveModelTo(store, key);
        }

        return (await builder.Build().RunAsync(cancellationToken: Ct), store, csv);
    }

    private static float[] Probabilities(IDataView scored)
        => scored.GetColumn<float>("Probability").ToArray();

    [Fact]
    public async Task DeployAsync_SavedModel_LoadsAndScoresLikeTheInMemoryModel()
    {
        using TempFolder folder = TestData.TempFolder();
        (PipelineResult result, LocalArtifactStore store, string csv) = await TrainAsync(folder, "churn/v1/model.zip");
        DataTable data = await ReadCsvAsync(csv);

        var ml = new MLContext(seed: 1);
        ITransformer loaded;
        DataViewSchema inputSchema;
        await using (Stream stream = await store.OpenReadAsync("churn/v1/model.zip", Ct))
        {
            loaded = ml.Model.Load(stream, out inputSchema);
        }

        // The file holds the preparation and the model; its input is the raw features without the label.
        Assert.Equal(["x1", "x2", "color", "flag"], inputSchema.Select(c => c.Name));
        IDataView features = data.WithoutColumns("label");
        float[] expected = Probabilities(result.Model.Transform(features));
        float[] actual = Probabilities(loaded.Transform(features));
        Assert.Equal(300, actual.Length);
        Assert.Equal(expected, actual);
        Assert.All(actual, p => Assert.InRange(p, 0f, 1f));
    }

    [Fact]
    public async Task DeployAsync_Result_ShaAndBytesDescribeTheFile()
    {
        using TempFolder folder = TestData.TempFolder();
        (PipelineResult result, LocalArtifactStore store, _) = await TrainAsync(folder, "m\\model.zip");

        DeploymentResult deployment = Assert.Single(result.Deployments);
        Assert.Equal("m/model.zip", deployment.Key);
        Assert.Equal(store.GetPath("m/model.zip"), deployment.Location);
        byte[] bytes = await File.ReadAllBytesAsync(deployment.Location, Ct);
        Assert.Equal(bytes.LongLength, deployment.Bytes);
        Assert.Equal(Sha256Hex(bytes), deployment.Sha256);
        Assert.Matches("^[0-9a-f]{64}$", deployment.Sha256);
        Assert.Equal([(byte)'P', (byte)'K'], bytes[..2]); // an ML.NET model file is a zip
    }

    [Fact]
    public async Task RunAsync_TwoDeployers_BothWriteTheSameModel()
    {
        using TempFolder folder = TestData.TempFolder();
        (PipelineResult result, LocalArtifactStore store, _) = await TrainAsync(folder, "a/model.zip", "b/model.zip");

        Assert.Equal(["a/model.zip", "b/model.zip"], result.Deployments.Select(d => d.Key));
        Assert.Equal(result.Deployments[0].Bytes, result.Deployments[1].Bytes);
        Assert.Equal(result.Deployments[0].Location, result.ModelLocation);
        AssertSameZipContent(store.GetPath("a/model.zip"), store.GetPath("b/model.zip"));
    }

    [Fact]
    public async Task DeployAsync_Directly_WritesUnderKeyAndOverwrites()
    {
        using TempFolder folder = TestData.TempFolder();
        (PipelineResult result, LocalArtifactStore store, _) = await TrainAsync(folder);
        Assert.Empty(result.Deployments);
        await store.WriteAsync("direct/model.zip", new MemoryStream([1, 2, 3]), cancellationToken: Ct);
        var deployer = new ModelFileDeployer(store, "direct/model.zip");

        DeploymentResult deployment = await deployer.DeployAsync(new DeploymentContext(result.Model, result.Metrics, null, 21), Ct);

        Assert.Equal("direct/model.zip", deployment.Key);
        Assert.True(deployment.Bytes > 3);
        Assert.Equal(Sha256Hex(await File.ReadAllBytesAsync(store.GetPath("direct/model.zip"), Ct)), deployment.Sha256);
        Assert.Equal($"SaveModel({store.GetPath("direct/model.zip")})", deployer.ToString());
    }

    [Theory]
    [InlineData("../model.zip")]
    [InlineData("/etc/model.zip")]
    [InlineData("")]
    public void Constructor_InvalidKey_ThrowsArtifactKeyException(string key)
    {
        using TempFolder folder = TestData.TempFolder();

        Assert.Equal(key, Assert.Throws<ArtifactKeyException>(() => new ModelFileDeployer(new LocalArtifactStore(folder.Path), key)).Key);
        Assert.Throws<ArtifactKeyException>(() => new PipelineBuilder().SaveModelTo(new LocalArtifactStore(folder.Path), key));
    }

    [Fact]
    public void Constructor_NullStore_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => new ModelFileDeployer(null!, "model.zip"));
    }
}
