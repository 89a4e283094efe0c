using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Pipeline;

public class CancellationTests
{
    /// <summary>Counts extractions and forwards to a CSV source.</summary>
    private sealed class CountingSource(IDataSource inner) : IDataSource
    {
        public int Extractions { get; private set; }

        public string Name => inner.Name;

        public Task<ExtractedData> ExtractAsync(ExtractionContext context, CancellationToken cancellationToken = default)
        {
            Extractions++;
            return inner.ExtractAsync(context, cancellationToken);
        }
    }

    [Fact]
    public async Task RunAsync_CancelledWhenSplitStarts_ThrowsAndWritesNoModel()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 200));
        var store = new LocalArtifactStore(Path.Combine(folder.Path, "store"));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var reports = new List<PipelineProgress>();
        var progress = new SyncProgress<PipelineProgress>(p =>
        {
            reports.Add(p);
            if (p.Stage == PipelineStage.Split && !p.Completed)
            {
                cts.Cancel();
            }
        });
        TrainingPipeline pipeline = new PipelineBuilder(seed: 1).FromCsv(csv).Label("label").Train(Trainers.Binary.LightGbm()).SaveModelTo(store, "m/model.zip").Build();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.RunAsync(progress, cts.Token));

        Assert.False(File.Exists(store.GetPath("m/model.zip")));
        Assert.False(Directory.Exists(store.RootPath) && Directory.EnumerateFileSystemEntries(store.RootPath, "*", SearchOption.AllDirectories).Any());
        Assert.Equal([PipelineStage.Extraction, PipelineStage.DataQuality, PipelineStage.Split], reports.Where(r => !r.Completed).Select(r => r.Stage));
        Assert.Equal([PipelineStage.Extraction, PipelineStage.DataQuality], reports.Where(r => r.Completed).Select(r => r.Stage));
    }

    [Fact]
    public async Task RunAsync_PreCancelledToken_ThrowsBeforeExtraction()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 50));
        var source = new CountingSource(CsvDataSource.FromFile(csv));
        var store = new LocalArtifactStore(Path.Combine(folder.Path, "store"));
        var reports = new List<PipelineProgress>();
        TrainingPipeline pipeline = new PipelineBuilder().From(source).Label("label").Train(Trainers.Binary.LightGbm()).SaveModelTo(store).Build();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.RunAsync(new SyncProgress<PipelineProgress>(reports.Add), cts.Token));

        Assert.Equal(0, source.Extractions);
        Assert.Empty(reports);
        Assert.False(Directory.Exists(store.RootPath));
    }

    [Fact]
    public async Task RunAsync_AfterCancelledRun_SamePipelineRunsAgain()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 200));
        var source = new CountingSource(CsvDataSource.FromFile(csv));
        TrainingPipeline pipeline = new PipelineBuilder(seed: 1).From(source).Label("label").Train(Trainers.Binary.SdcaLogisticRegression()).Build();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.RunAsync(cancellationToken: cts.Token));

        PipelineResult result = await pipeline.RunAsync(cancellationToken: Ct);

        Assert.Equal(1, source.Extractions);
        Assert.Equal(200, result.Rows);
        Assert.Empty(result.Deployments);
        Assert.Null(result.ModelLocation);
        Assert.Equal(6, result.Timings.Count); // no deployment stage without a deployer
    }
}
