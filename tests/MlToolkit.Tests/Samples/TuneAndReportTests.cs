using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Training.Search;
using QuickStart;
using TuneAndReport;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Samples;

/// <summary>The TuneAndReport sample on generated customers (the real data set it prefers is not in the repository).</summary>
public class TuneAndReportTests
{
    [Fact]
    public async Task RunAsync_GeneratedCustomers_HalvesThroughRoundsAndWritesTheReportBesideTheModel()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = Path.Combine(folder.Path, "churn.csv");
        ChurnData.Write(csv, 3000, 7);
        var options = new TuningSampleOptions { DataPath = csv, Label = "Churned", Ignore = ["CustomerId"], Trials = 9, Parallel = 2, Output = Path.Combine(folder.Path, "out") };

        TuningSampleResult run = await TuningSample.RunAsync(options, cancellationToken: Ct);

        SearchResult search = run.Result.Tuning!;
        Assert.Equal(SearchStrategy.SuccessiveHalving, search.Strategy);

        // 9 configurations, then the best 3 on three times the rows, then the best one on all the training rows.
        int[] trialsPerRound = [.. search.Trials.GroupBy(t => t.Round).OrderBy(g => g.Key).Select(g => g.Count())];
        int[] rowsPerRound = [.. search.Trials.GroupBy(t => t.Round).OrderBy(g => g.Key).Select(g => g.Select(t => t.TrainRows).Distinct().Single())];
        Assert.Equal([9, 3], trialsPerRound);
        Assert.Equal(run.Result.TrainRows, rowsPerRound[^1]);
        Assert.True(rowsPerRound[0] * 3 <= rowsPerRound[1] + 3, string.Join(", ", rowsPerRound));
        Assert.Equal(1, search.Best!.Round);
        Assert.Equal(search.Best.Trainer, run.Result.Trainer);

        Assert.Equal(5, run.Result.CrossValidation!.Folds.Count);
        Assert.True(run.Result.Validation!.Passed, string.Join("; ", run.Result.Validation.Gates.Select(g => g.Reason)));
        Assert.InRange(run.Result.Metrics[Metric.Auc], 0.8, 1);
        Assert.Equal(Path.Combine(folder.Path, "out", "model.zip"), run.Result.ModelLocation);
        Assert.Equal(Path.Combine(folder.Path, "out", "report.html"), run.Files.Html);
        string html = await File.ReadAllTextAsync(run.Files.Html, Ct);
        foreach (string plot in (string[])["roc", "precision-recall", "feature-importance", "learning-curve", "cross-validation", "tuning"])
        {
            Assert.Contains($"<figure id=\"plot-{plot}\">", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ResolveData_DataWithoutLabel_ArgumentExceptionNamingTheOption()
    {
        var ex = Assert.Throws<ArgumentException>(() => TuningSample.ResolveData(new TuningSampleOptions { DataPath = "x.csv" }));

        Assert.Equal("A data file needs its label column (--label).", ex.Message);
        Assert.Equal("y", TuningSample.ResolveData(new TuningSampleOptions { DataPath = "x.csv", Label = "y" }).Label);
    }

    [Fact]
    public async Task RunAsync_UnknownTrainer_ArgumentExceptionListingTheNames()
    {
        var options = new TuningSampleOptions { DataPath = "x.csv", Label = "y", Trainers = ["xgboost"] };

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => TuningSample.RunAsync(options, cancellationToken: Ct));

        Assert.Equal("Unknown trainer 'xgboost': use lightgbm, fasttree, sdca or lbfgs.", ex.Message);
    }
}
