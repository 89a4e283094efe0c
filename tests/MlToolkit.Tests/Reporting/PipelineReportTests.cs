using System.Text.Json;
using System.Text.RegularExpressions;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Reporting;
using MlToolkit.Tests.TestServers;
using MlToolkit.Training;
using MlToolkit.Training.CrossValidation;
using MlToolkit.Training.Search;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Reporting;

public class PipelineReportTests(PipelineReportTests.BinaryRun run) : IClassFixture<PipelineReportTests.BinaryRun>
{
    /// <summary>Any reference that a browser would fetch: a source, link or import over the network, a script, or a remote font.</summary>
    private static readonly Regex External = new(@"(?:src|href)\s*=\s*[""']?\s*(?:https?:|//)|<script|<link|@import|url\(\s*[""']?(?:https?:|//)|<iframe|<img", RegexOptions.IgnoreCase);

    [Fact]
    public void ToHtml_FullRun_HasEveryPlotInlineAsSvgAndNothingExternal()
    {
        PipelineReport report = PipelineReport.Create(run.Result, "Churn");
        string html = report.ToHtml();

        Assert.Equal(["roc", "precision-recall", "feature-importance", "learning-curve", "cross-validation", "tuning"], report.Plots);
        foreach (string plot in report.Plots)
        {
            Assert.Matches(new Regex($"<figure id=\"plot-{plot}\"><svg [^>]*>", RegexOptions.Singleline), html);
        }

        Assert.Equal(report.Plots.Count, Regex.Matches(html, "<svg ").Count);
        Assert.DoesNotMatch(External, html);
        foreach (string section in (string[])["summary", "data-quality", "metrics", "binary", "feature-importance", "learning-curve", "cross-validation", "tuning", "validation"])
        {
            Assert.Contains($"<section id=\"{section}\">", html, StringComparison.Ordinal);
        }

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<td>x1</td>", html, StringComparison.Ordinal); // the feature-importance and data-quality tables
    }

    [Fact]
    public void ToJson_FullRun_HoldsTheRunsFigures()
    {
        using JsonDocument json = JsonDocument.Parse(PipelineReport.Create(run.Result).ToJson());
        JsonElement root = json.RootElement;

        Assert.Equal(run.Result.Metrics[Metric.Auc], root.GetProperty("metrics").GetProperty("test").GetProperty("auc").GetDouble(), 12);
        Assert.Equal(run.Result.CrossValidation![Metric.Auc].Mean, root.GetProperty("cv").GetProperty("auc").GetProperty("mean").GetDouble(), 12);
        Assert.Equal(run.Result.Tuning!.Best!.Number, root.GetProperty("tuning").GetProperty("best").GetProperty("trial").GetInt32());
        Assert.Equal(run.Result.FeatureImportance!.Columns[0].Column, root.GetProperty("featureImportance").GetProperty("columns").EnumerateObject().First().Name);
        Assert.Equal(run.Result.Validation!.Passed, root.GetProperty("validation").GetProperty("passed").GetBoolean());
        Assert.Equal(6, root.GetProperty("plots").GetArrayLength());
    }

    [Fact]
    public void ToMarkdown_FullRun_HasTheSectionsAndTablesWithoutPlots()
    {
        string md = PipelineReport.Create(run.Result, "Churn").ToMarkdown();

        Assert.StartsWith("# Churn\n", md, StringComparison.Ordinal);
        Assert.Contains("## Cross-validation", md, StringComparison.Ordinal);
        Assert.Contains("| metric | mean | SD | 95% CI |", md, StringComparison.Ordinal);
        Assert.Contains("_Plots in the HTML report: ROC curve", md, StringComparison.Ordinal);
        Assert.DoesNotContain("<svg", md, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_Folder_WritesTheThreeFilesAndABrowserRendersThePageOffline()
    {
        using TempFolder folder = TestData.TempFolder();

        ReportFiles files = await PipelineReport.Create(run.Result, "Churn").WriteAsync(folder.Path, "churn-report", Ct);

        Assert.All(new[] { files.Html, files.Markdown, files.Json }, f => Assert.True(new FileInfo(f).Length > 100, f));
        string? chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);
        if (chromium is null)
        {
            ExternalProcess.SkipOrFail("Rendering the report needs Chromium: apt-get install -y chromium.");
        }

        // Headless, with every host name unresolvable: the page must not need the network.
        string profile = Path.Combine(folder.Path, "profile");
        string screenshot = Path.Combine(folder.Path, "report.png");
        string[] common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND", $"--user-data-dir={profile}"];
        (int code, string dom) = await ExternalProcess.RunAsync(chromium!, [.. common, "--dump-dom", new Uri(files.Html).AbsoluteUri], TimeSpan.FromSeconds(60));
        (int shot, _) = await ExternalProcess.RunAsync(chromium!, [.. common, $"--screenshot={screenshot}", "--window-size=1280,4000", new Uri(files.Html).AbsoluteUri], TimeSpan.FromSeconds(60));

        Assert.Equal(0, code);
        Assert.Equal(0, shot);
        Assert.Equal(6, Regex.Matches(dom, "<svg ").Count); // the browser parsed every inline plot
        Assert.Contains("<title>Churn</title>", dom, StringComparison.Ordinal);
        Assert.True(new FileInfo(screenshot).Length > 20_000, "the screenshot is nearly empty");
    }

    [Fact]
    public async Task Create_Regression_HasResidualPlots()
    {
        using TempFolder folder = TestData.TempFolder();
        PipelineResult result = await new PipelineBuilder(1).FromCsv(folder.Write("data.csv", TestData.RegressionCsv(400))).Label("y").Train(Trainers.Regression.LightGbm(numberOfIterations: 30)).Build().RunAsync(cancellationToken: Ct);

        PipelineReport report = PipelineReport.Create(result);

        Assert.Equal(["residuals", "actual-predicted"], report.Plots);
        Assert.Contains("<section id=\"residuals\">", report.ToHtml(), StringComparison.Ordinal);
        Assert.Equal("LightGbm — regression", report.Title);
    }

    [Fact]
    public async Task Create_Multiclass_HasTheConfusionMatrixAndPerClassTable()
    {
        using TempFolder folder = TestData.TempFolder();
        PipelineResult result = await new PipelineBuilder(1).FromCsv(folder.Write("data.csv", TestData.MulticlassCsv(450))).Label("species").Train(Trainers.Multiclass.LightGbm(numberOfIterations: 30)).Build().RunAsync(cancellationToken: Ct);

        string html = PipelineReport.Create(result).ToHtml();

        Assert.Contains("<th>actual \\ predicted</th><th>setosa</th><th>versicolor</th><th>virginica</th>", html, StringComparison.Ordinal);
        long[] diagonal = [.. result.Metrics.Multiclass!.ConfusionMatrix.Select((row, i) => row[i])];
        Assert.All(diagonal, d => Assert.Contains($">{d:N0}</td>", html, StringComparison.Ordinal));
    }

    /// <summary>One binary run with everything a report can show: cross-validation, tuning, importance, learning curve, gates.</summary>
    public sealed class BinaryRun : IAsyncLifetime
    {
        private readonly TempFolder _folder = TestData.TempFolder();

        public PipelineResult Result { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Result = await new PipelineBuilder(5)
                .FromCsv(_folder.Write("data.csv", TestData.BinaryCsv(900)))
                .Label("label")
                .Split(test: 0.2, validation: 0.2)
                .Tune(MlToolkit.Training.Search.Search.Random(4), SearchSpaces.Binary.LightGbm())
                .CrossValidate(new CrossValidationOptions { Folds = 3 })
                .ExplainFeatures(2)
                .LearningCurve(3)
                .Validate(v => v.AtLeast(Metric.Auc, 0.6))
                .DiagnoseFit()
                .Build()
                .RunAsync(cancellationToken: TestContext.Current.CancellationToken);
        }

        public ValueTask DisposeAsync()
        {
            _folder.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
