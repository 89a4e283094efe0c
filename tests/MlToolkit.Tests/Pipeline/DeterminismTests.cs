using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Pipeline;

public class DeterminismTests
{
    public static TheoryData<string> TrainerNames => ["lightgbm", "fasttree", "sdca"];

    private static async Task<PipelineResult> RunAsync(string csv, string name, int seed, LocalArtifactStore store, string key)
        => await new PipelineBuilder(seed)
            .FromCsv(csv)
            .Label("label")
            .Train(Trainers.ByName(MlTask.BinaryClassification, name))
            .SaveModelTo(store, key)
            .Build()
            .RunAsync(cancellationToken: Ct);

    [Theory]
    [MemberData(nameof(TrainerNames))]
    public async Task RunAsync_SameSeedTwice_IdenticalMetricsAndModelContent(string trainer)
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 400));
        var store = new LocalArtifactStore(folder.Path);

        PipelineResult first = await RunAsync(csv, trainer, 11, store, "first.zip");
        PipelineResult second = await RunAsync(csv, trainer, 11, store, "second.zip");

        Assert.Equal(first.Metrics.Metrics, second.Metrics.Metrics);
        Assert.Equal(first.TrainingMetrics.Metrics, second.TrainingMetrics.Metrics);
        Assert.Equal(first.Metrics.Binary!.RocCurve, second.Metrics.Binary!.RocCurve);
        Assert.Equal(first.Deployments[0].Bytes, second.Deployments[0].Bytes);

        // Every entry of the two ML.NET model zips is the same (entry timestamps are not compared here).
        AssertSameZipContent(first.ModelLocation!, second.ModelLocation!);
    }

    /// <summary>
    /// "The same data and seed give the same model": the two model files, and their SHA-256 in the results, must be
    /// byte-identical. The runs are 2.1 s apart so that the outcome does not depend on whether both saves fall in the
    /// same two-second window of a zip timestamp.
    /// </summary>
    [Fact]
    public async Task RunAsync_SameSeedRunsApart_ByteIdenticalModelFilesAndSha256()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 400));
        var store = new LocalArtifactStore(folder.Path);
        var first = new Dictionary<string, PipelineResult>();
        foreach (string trainer in TrainerNames)
        {
            first[trainer] = await RunAsync(csv, trainer, 11, store, $"{trainer}/first.zip");
        }

        await Task.Delay(TimeSpan.FromSeconds(2.1), Ct);
        var problems = new List<string>();
        foreach (string trainer in TrainerNames)
        {
            PipelineResult second = await RunAsync(csv, trainer, 11, store, $"{trainer}/second.zip");
            byte[] a = await File.ReadAllBytesAsync(first[trainer].ModelLocation!, Ct);
            byte[] b = await File.ReadAllBytesAsync(second.ModelLocation!, Ct);
            Assert.Equal(Sha256Hex(a), first[trainer].Deployments[0].Sha256);
            Assert.Equal(Sha256Hex(b), second.Deployments[0].Sha256);
            if (first[trainer].Deployments[0].Sha256 != second.Deployments[0].Sha256 || !a.AsSpan().SequenceEqual(b))
            {
                problems.Add($"{trainer}: {first[trainer].Deployments[0].Sha256} vs {second.Deployments[0].Sha256}");
            }
        }

        Assert.True(problems.Count == 0, "Model files of identical runs differ: " + string.Join("; ", problems));
    }

    [Fact]
    public async Task RunAsync_DifferentSeed_DifferentSplitAndMetrics()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 400));
        var store = new LocalArtifactStore(folder.Path);

        PipelineResult a = await RunAsync(csv, "sdca", 11, store, "a.zip");
        PipelineResult b = await RunAsync(csv, "sdca", 12, store, "b.zip");

        // Same sizes (stratified fractions do not depend on the seed), different rows.
        Assert.Equal(a.TrainRows, b.TrainRows);
        Assert.Equal(a.TestRows, b.TestRows);
        Assert.NotEqual(a.Metrics[Metric.LogLoss], b.Metrics[Metric.LogLoss]);
        Assert.NotEqual(a.TrainingMetrics[Metric.LogLoss], b.TrainingMetrics[Metric.LogLoss]);
        Assert.NotEqual(a.Deployments[0].Sha256, b.Deployments[0].Sha256);
    }
}
