using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using Xunit;

namespace MlToolkitApp.Tests;

public class PipelineTests
{
    [Fact]
    public async Task Create_SampleData_LearnsBetterThanChanceAndSavesTheModel()
    {
        string folder = Path.Combine(Path.GetTempPath(), "mltoolkitapp-tests", Guid.NewGuid().ToString("N"));
        string csv = Path.Combine(folder, "customers.csv");
        SampleData.Write(csv, rows: 3000, seed: 42); // what `dotnet run` writes
        try
        {
            PipelineResult result = await Pipeline.Create(csv, Path.Combine(folder, "artifacts")).RunAsync(cancellationToken: TestContext.Current.CancellationToken);

            Assert.InRange(result.Metrics[Metric.Auc], 0.7, 1.0);
            Assert.True(result.Validation!.Passed, string.Join("; ", result.Validation.Gates.Select(g => g.Reason)));
            Assert.True(File.Exists(Path.Combine(folder, "artifacts", "model.zip")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
