using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using MlToolkit.Tests.Samples;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Pipeline;

/// <summary>The QuickStart sample as a user runs it: a process, its exit code, its last line of JSON and the files it leaves.</summary>
public class QuickStartCommandLineTests
{
    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string folder, params string[] arguments)
    {
        // `dotnet run` of the sample's own build: its dependencies are beside it (the test's output shares some with the
        // ASP.NET Core framework instead, which the sample does not run on).
        string configuration = typeof(QuickStartCommandLineTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])["run", "--no-build", "-c", configuration, "--project", Path.Combine(RepositoryPaths.Root(), "samples", "QuickStart", "QuickStart.csproj"), "--"])
        {
            info.ArgumentList.Add(argument);
        }

        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the QuickStart sample.");
        Task<string> output = process.StandardOutput.ReadToEndAsync(Ct);
        Task<string> error = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await error);
    }


    private static JsonElement LastLine(string output)
    {
        string last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        return JsonDocument.Parse(last).RootElement;
    }

    [Fact]
    public async Task Main_TuneAndCtrlCDuringTheSearch_RunFinishesWithTheBestTrialSoFar()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "The test sends SIGINT with kill(1), as a terminal's Ctrl+C does on Linux.");
        using TempFolder folder = TestData.TempFolder();
        await using var sample = SampleProcess.Start("QuickStart", folder.Path, ["--tune", "40", "--plain"]);

        // Once the first of 40 trials has ended, the search is still running when the signal comes.
        await sample.WaitForErrorLineAsync(l => l.Contains("Trial 1 (1/40)", StringComparison.Ordinal));
        await sample.InterruptAsync();
        int code = await sample.WaitForExitAsync();

        Assert.True(code == 0, $"exit code {code}: {sample.Error}");
        Assert.Contains("Ctrl+C: stopping the search.", sample.Error, StringComparison.Ordinal);
        JsonElement json = JsonDocument.Parse(sample.OutputLines[^1]).RootElement;
        JsonElement tuning = json.GetProperty("tuning");
        int trials = tuning.GetProperty("trials").GetInt32();
        Assert.InRange(trials, 1, 39);
        string stopped = sample.OutputLines.Single(l => l.StartsWith("Search stopped (Ctrl+C)", StringComparison.Ordinal));
        Assert.StartsWith($"Search stopped (Ctrl+C) after {trials} of 40 trials; trained the best so far: {tuning.GetProperty("best").GetProperty("trainer").GetString()}(", stopped, StringComparison.Ordinal);
        Assert.Equal(json.GetProperty("trainer").GetString(), tuning.GetProperty("best").GetProperty("trainer").GetString());
        // The run went on to the end: the winner was validated, and published if it passed (which trial won, and so whether
        // it passed, depends on how many trials had finished).
        bool passed = json.GetProperty("validation").GetProperty("passed").GetBoolean();
        Assert.Equal(passed, json.GetProperty("version").ValueKind == JsonValueKind.Number);
        Assert.Contains(sample.OutputLines, l => l.StartsWith(passed ? "Published version 1;" : "Not deployed: Validation failed", StringComparison.Ordinal));
        Assert.Equal(passed, File.Exists(Path.Combine(folder.Path, "artifacts", "quickstart", "versions", "00000001.json")));
    }

    [Fact]
    public async Task Main_CvAndTune_JsonHasEachMetricsSpreadTheWinnerAndTheReport()
    {
        using TempFolder folder = TestData.TempFolder();

        (int code, string output, string error) = await RunAsync(folder.Path, "--cv", "3", "--tune", "4");

        Assert.True(code == 0, error);
        JsonElement json = LastLine(output);
        JsonElement auc = json.GetProperty("cv").GetProperty("auc");
        Assert.InRange(auc.GetProperty("mean").GetDouble(), auc.GetProperty("lower").GetDouble(), auc.GetProperty("upper").GetDouble());
        Assert.True(auc.GetProperty("sd").GetDouble() > 0);
        Assert.True(json.GetProperty("cv").TryGetProperty("logLoss", out _));

        JsonElement tuning = json.GetProperty("tuning");
        Assert.Equal(4, tuning.GetProperty("trials").GetInt32());
        Assert.Equal("auc", tuning.GetProperty("metric").GetString());
        Assert.Equal(json.GetProperty("trainer").GetString(), tuning.GetProperty("best").GetProperty("trainer").GetString());
        Assert.InRange(tuning.GetProperty("best").GetProperty("score").GetDouble(), 0.7, 1);

        string report = json.GetProperty("report").GetString()!;
        Assert.Equal(Path.Combine(folder.Path, "artifacts", "quickstart", "reports", "00000001.html"), report);
        string html = await File.ReadAllTextAsync(report, Ct);
        Assert.Contains("<figure id=\"plot-cross-validation\">", html, StringComparison.Ordinal);
        Assert.Contains("<figure id=\"plot-tuning\">", html, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.ChangeExtension(report, ".md")) && File.Exists(Path.ChangeExtension(report, ".json")));

        // Redirected, progress is plain lines on standard error: no terminal escape codes, one line per trial and fold.
        Assert.DoesNotContain('\u001b', error);
        Assert.Contains("Trial 4 (4/4)", error, StringComparison.Ordinal);
        Assert.Contains("Fold 3 of 3 done", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Trial ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_Data_ReportBesideTheModelAndNoCvOrTuningWhenNotAsked()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("prices.csv", TestData.RegressionCsv(500));

        (int code, string output, string error) = await RunAsync(folder.Path, "--data", csv, "--label", "y");

        Assert.True(code == 0, error);
        JsonElement json = LastLine(output);
        Assert.Equal("regression", json.GetProperty("task").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("cv").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("tuning").ValueKind);
        Assert.Equal(Path.Combine(folder.Path, "artifacts", "prices", "report.html"), json.GetProperty("report").GetString());
        Assert.True(File.Exists(Path.Combine(folder.Path, "artifacts", "prices", "model.zip")));
        Assert.Contains("<figure id=\"plot-residuals\">", await File.ReadAllTextAsync(json.GetProperty("report").GetString()!, Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--cv", "1", "--cv takes a whole number of at least 2, not '1'.")]
    [InlineData("--tune", "many", "--tune takes a whole number of at least 1, not 'many'.")]
    public async Task Main_BadCount_ExitCode2NamingTheOption(string option, string value, string message)
    {
        using TempFolder folder = TestData.TempFolder();

        (int code, string output, string error) = await RunAsync(folder.Path, option, value);

        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Empty(output);
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "artifacts")));
    }

    /// <summary>Every input problem ends in one line on standard error, with exit code 2 for bad usage, and no stack trace.</summary>
    [Theory]
    [InlineData("label", "--label", "labl", "(did you mean 'label'?)")]
    [InlineData("task", "--task", "bogus", "--task takes binary, multiclass, regression, not 'bogus'.")]
    [InlineData("trainer", "--trainer", "xgboost", "--trainer takes lightgbm, fasttree, sdca, lbfgs, not 'xgboost'.")]
    [InlineData("seed", "--seed", "forty-two", "--seed takes a whole number, not 'forty-two'.")]
    [InlineData("separator", "--separator", "::", "separators of several characters are not supported")]
    [InlineData("missing file", "--data", "nowhere.csv", "--data: there is no file 'nowhere.csv'.")]
    public async Task Main_BadInput_OneLineAndExitCode2(string what, string option, string value, string message)
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(200));
        string[] arguments = option switch
        {
            "--label" => ["--data", csv, "--label", value],
            "--data" => ["--data", value, "--label", "label"],
            _ => ["--data", csv, "--label", "label", option, value],
        };

        (int code, string output, string error) = await RunAsync(folder.Path, arguments);

        Assert.True(code == 2, $"{what}: exit code {code}; {error}");
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("QuickStart: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.DoesNotContain("{", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_FailedRun_OneLineAndExitCode1()
    {
        using TempFolder folder = TestData.TempFolder();
        // A quote that is never closed: the data cannot be read, which is a failed run, not bad usage.
        string text = TestData.BinaryCsv(50);
        string csv = folder.Write("data.csv", text.Insert(text.IndexOf(",red,", StringComparison.Ordinal) + 1, "\""));

        (int code, _, string error) = await RunAsync(folder.Path, "--data", csv, "--label", "label", "--task", "binary");

        Assert.True(code == 1, $"exit code {code}; {error}");
        string last = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        Assert.StartsWith("error (Extraction): ", last, StringComparison.Ordinal);
        Assert.Contains(csv, last, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_CommaAndSpaceSeparator_ReadsAsTheCommaWithValuesTrimmed()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("adult-like.csv", TestData.BinaryCsv(300).Replace(",", ", ", StringComparison.Ordinal));

        (int code, string output, string error) = await RunAsync(folder.Path, "--data", csv, "--label", "label", "--separator", ", ");

        Assert.True(code == 0, error);
        JsonElement json = LastLine(output);
        Assert.Equal("binary", json.GetProperty("task").GetString());
        Assert.Equal(300, json.GetProperty("rows").GetInt32());
    }

    [Fact]
    public async Task Main_Help_OneLinePerOptionWithItsDefault()
    {
        using TempFolder folder = TestData.TempFolder();

        (int code, string output, _) = await RunAsync(folder.Path, "--help");

        Assert.Equal(0, code);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string option in (string[])["data", "label", "task", "test", "separator", "missing", "trainer", "seed", "ignore", "no-header", "no-quotes", "cv", "tune", "plain"])
        {
            string line = Assert.Single(lines, l => l.StartsWith($"--{option} ", StringComparison.Ordinal));
            Assert.Contains("(default: ", line, StringComparison.Ordinal);
        }

        Assert.Contains(lines, l => l.StartsWith("--seed ", StringComparison.Ordinal) && l.EndsWith("(default: 42)", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "artifacts")));
    }
}
