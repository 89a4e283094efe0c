using System.Text.Json;
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

    [Fact]
    public async Task Main_CtrlCDuringTheSearch_StopsItAndTheRunFinishesWithTheBestSoFar()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "The test sends SIGINT with kill(1), as a terminal's Ctrl+C does on Linux.");
        using TempFolder folder = TestData.TempFolder();
        await using var sample = SampleProcess.Start("TuneAndReport", folder.Path, Arguments(folder.Path));

        // Once the first trial has ended: 38 more are planned, so the search is still running when the signal comes.
        await sample.WaitForErrorLineAsync(l => l.Contains("Trial 1 (1/", StringComparison.Ordinal));
        await sample.InterruptAsync();
        int code = await sample.WaitForExitAsync();

        // The run went on to the end: 0 when the winner passed the gates and was saved, 3 when it failed them (the sample's
        // exit code for a model that validation refused; which trial won depends on how many had finished).
        Assert.True(code is 0 or 3, $"exit code {code}: {sample.Error}");
        Assert.Contains("Ctrl+C: stopping the search.", sample.Error, StringComparison.Ordinal);
        Assert.Contains(sample.OutputLines, l => l.StartsWith(code == 0 ? "Validation: passed" : "Validation: FAILED", StringComparison.Ordinal));
        Assert.Equal(code == 0, File.Exists(Path.Combine(folder.Path, "out", "model.zip")));
        string searchLine = sample.OutputLines.Single(l => l.StartsWith("Search: ", StringComparison.Ordinal));
        Assert.StartsWith("Search: stopped by Ctrl+C after ", searchLine, StringComparison.Ordinal);
        JsonElement tuning = JsonDocument.Parse(sample.OutputLines[^1]).RootElement.GetProperty("tuning");
        int trials = tuning.GetProperty("trials").GetInt32();
        Assert.InRange(trials, 1, 38);
        Assert.Contains($" after {trials} of 39 trials", searchLine, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder.Path, "out", "report.html")));
    }

    [Fact]
    public async Task Main_CtrlCTwice_CancelsTheRunAndSavesNoModel()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "The test sends SIGINT with kill(1), as a terminal's Ctrl+C does on Linux.");
        using TempFolder folder = TestData.TempFolder();
        await using var sample = SampleProcess.Start("TuneAndReport", folder.Path, Arguments(folder.Path));

        await sample.WaitForErrorLineAsync(l => l.Contains("Trial 1 (1/", StringComparison.Ordinal));
        await sample.InterruptAsync();
        await sample.WaitForErrorLineAsync(l => l.StartsWith("Ctrl+C: stopping the search.", StringComparison.Ordinal));
        await sample.InterruptAsync();
        int code = await sample.WaitForExitAsync();

        Assert.True(code == 1, $"exit code {code}: {sample.Error}");
        Assert.Contains("Ctrl+C: cancelling the run", sample.Error, StringComparison.Ordinal);
        Assert.Equal("error: cancelled (Ctrl+C); no model was saved.", sample.ErrorLines[^1]);
        Assert.DoesNotContain(sample.OutputLines, l => l.StartsWith("Search: ", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(folder.Path, "out", "model.zip")));
    }

    /// <summary>27 SDCA configurations (39 trials in all) on 3,000 generated customers, progress as plain lines on standard error.</summary>
    private static string[] Arguments(string folder)
    {
        string csv = Path.Combine(folder, "churn.csv");
        ChurnData.Write(csv, 3000, 7);
        return ["--data", csv, "--label", "Churned", "--ignore", "CustomerId", "--trainers", "sdca", "--trials", "27", "--plain", "--out", Path.Combine(folder, "out")];
    }
}
