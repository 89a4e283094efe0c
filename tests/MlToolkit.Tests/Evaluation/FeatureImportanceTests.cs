using System.Globalization;
using System.Text;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Evaluation;

public class FeatureImportanceTests
{
    /// <summary>y = 3·strong + 1.5·(color is blue) + 0.5·weak + noise; <c>unused</c> plays no part.</summary>
    private static string Data(int rows)
    {
        var random = new Random(12);
        var csv = new StringBuilder("strong,weak,color,unused,y\n");
        string[] colors = ["red", "green", "blue"];
        for (int i = 0; i < rows; i++)
        {
            double strong = random.NextDouble() * 4, weak = random.NextDouble() * 4, unused = random.NextDouble() * 4;
            int color = random.Next(3);
            double y = (3 * strong) + (color == 2 ? 1.5 * 4 : 0) + (0.5 * weak) + ((random.NextDouble() - 0.5) * 0.5);
            csv.Append(CultureInfo.InvariantCulture, $"{strong:F4},{weak:F4},{colors[color]},{unused:F4},{y:F4}\n");
        }

        return csv.ToString();
    }

    [Fact]
    public async Task ExplainFeatures_RanksRawColumnsByTheirRoleAndAnUnusedOneNearZero()
    {
        using TempFolder folder = TestData.TempFolder();

        PipelineResult result = await new PipelineBuilder(3)
            .FromCsv(folder.Write("data.csv", Data(1_500)))
            .Label("y")
            .Train(Trainers.Regression.LightGbm())
            .ExplainFeatures(repeats: 4)
            .Build()
            .RunAsync(cancellationToken: Ct);

        FeatureImportanceResult importance = result.FeatureImportance!;
        Assert.Equal(Metric.R2, importance.Metric);
        Assert.Equal(result.Metrics[Metric.R2], importance.Baseline, 9);
        Assert.Equal(["strong", "color", "weak", "unused"], importance.Columns.Select(c => c.Column)); // one entry for color, not one per category
        Assert.True(importance.Columns[0].Mean > 0.5, importance.Columns[0].ToString());
        Assert.InRange(importance.Columns.Single(c => c.Column == "unused").Mean, -0.01, 0.01);
        Assert.All(importance.Columns, c => Assert.Equal(4, c.Drops.Count));
        Assert.Contains(result.Timings, t => t.Stage == PipelineStage.Explanation);
    }

    [Fact]
    public async Task ExplainFeatures_SameSeed_SameImportances()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", TestData.BinaryCsv(500));

        async Task<IReadOnlyList<FeatureImportance>> Run() => (await new PipelineBuilder(8).FromCsv(path).Label("label")
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 20)).ExplainFeatures(3, Metric.LogLoss).Build().RunAsync(cancellationToken: Ct)).FeatureImportance!.Columns;

        IReadOnlyList<FeatureImportance> a = await Run();
        IReadOnlyList<FeatureImportance> b = await Run();

        Assert.Equal(a.Select(c => (c.Column, c.Mean)), b.Select(c => (c.Column, c.Mean)));
        Assert.Equal("x1", a[0].Column); // the label depends most on x1
    }

    [Fact]
    public void ExplainFeatures_RepeatsOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PipelineBuilder().ExplainFeatures(repeats: 0));
    }
}
