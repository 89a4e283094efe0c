using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;

namespace MlToolkit.Tests.Pipeline;

public class SmokeTests
{
    [Fact]
    public async Task RunAsync_BinaryCsv_TrainsAndSavesModel()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv());
        PipelineResult result = await new PipelineBuilder(seed: 7)
            .FromCsv(csv)
            .Label("label")
            .Train(Trainers.Binary.LightGbm())
            .SaveModelTo(new LocalArtifactStore(folder.Path), "m/model.zip")
            .Build()
            .RunAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.InRange(result.Metrics[Metric.Auc], 0.8, 1.0);
        Assert.True(File.Exists(result.ModelLocation));
    }
}
