using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlToolkit;
using MlToolkit.Pipeline;
using MlToolkit.Reporting;
using MlToolkit.Samples;
using MlToolkit.Training.Search;
using TuneAndReport;

// dotnet run -c Release --project samples/TuneAndReport [-- [--data <csv> --label <column>] [--ignore a,b] [--trials 27] [--trainers lightgbm,fasttree,sdca,lbfgs]
//   [--parallel 1|2] [--rows 50000] [--out artifacts/tuning] [--seed 42] [--plain]]
const string Usage = "usage: TuneAndReport [--data <csv> --label <column>] [--ignore a,b] [--trials <n>] [--trainers lightgbm,fasttree,sdca,lbfgs] [--parallel <n>] [--rows <n>] [--out <folder>] [--seed <n>] [--plain]";
var options = new TuningSampleOptions();
bool plain = false;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        int Count(int min) => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min ? n : throw new ArgumentException($"{args[i - 1]} takes a whole number of at least {min}, not '{args[i]}'.");
        switch (args[i])
        {
            case "--data": options.DataPath = Value(); break;
            case "--label": options.Label = Value(); break;
            case "--ignore": options.Ignore = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
            case "--trials": options.Trials = Count(1); break;
            case "--trainers": options.Trainers = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
            case "--parallel": options.Parallel = Count(1); break;
            case "--rows": options.GeneratedRows = Count(100); break;
            case "--seed": options.Seed = Count(0); break;
            case "--out": options.Output = Value(); break;
            case "--plain": plain = true; break;
            case "--help": Console.WriteLine(Usage); return 0;
            default: throw new ArgumentException($"Unknown option {args[i]}.");
        }
    }

    _ = TuningSample.ResolveData(options);
    _ = TuningSample.Spaces(options.Trainers);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}

// Ctrl+C during the search stops it, and the run goes on with the best trial so far; Ctrl+C again cancels the run.
using var ctrlC = new ConsoleCancellation();
try
{
    TuningSampleResult run = await ConsoleProgress.RunAsync(progress => TuningSample.RunAsync(options, progress, ctrlC.RunOptions, ctrlC.Token), plain, ctrlC);
    PipelineResult result = run.Result;
    SearchResult search = result.Tuning!;
    TimeSpan searchTime = result.Timings.First(t => t.Stage == PipelineStage.Tuning).Duration;

    Console.WriteLine($"Data: {run.Data} ({result.Rows:N0} rows: {result.TrainRows:N0} training, {result.ValidationRows:N0} validation, {result.TestRows:N0} test)");
    Console.WriteLine(search.StoppedEarly
        ? $"Search: stopped by Ctrl+C after {search.Trials.Count} of {search.PlannedTrials} trials by successive halving, {options.Parallel} at a time, in {searchTime.TotalSeconds:F1} s; the best so far won"
        : $"Search: {search.Trials.Count} trials by successive halving, {options.Parallel} at a time, in {searchTime.TotalSeconds:F1} s");
    foreach (IGrouping<int, SearchTrial> round in search.Trials.GroupBy(t => t.Round))
    {
        SearchTrial best = search.HigherIsBetter ? round.MaxBy(t => t.Score)! : round.MinBy(t => t.Score)!;
        Console.WriteLine($"  round {round.Key + 1}: {round.Count(),2} trials on {round.First().TrainRows,6:N0} rows, best {search.Metric} {best.Score:F4} ({best.Trainer})");
    }

    Console.WriteLine($"Winner: {search.Best!.Description}");
    Console.WriteLine($"Test: {string.Join(", ", result.Metrics.Metrics.Select(m => $"{m.Key} {m.Value:F4}"))}");
    if (result.CrossValidation is { } cv)
    {
        Console.WriteLine($"Cross-validation ({cv.Folds.Count} folds): {cv.Metric} {cv[cv.Metric]}");
    }

    Console.WriteLine($"Validation: {(result.Validation!.Passed ? "passed" : "FAILED")}; model: {result.ModelLocation}");
    Console.WriteLine($"Report: {run.Files.Html}");

    JsonObject figures = run.Report.ToJsonObject();
    var json = new JsonObject
    {
        ["data"] = run.Data,
        ["rows"] = result.Rows,
        ["parallel"] = options.Parallel,
        ["searchSeconds"] = Math.Round(searchTime.TotalSeconds, 2),
        ["totalSeconds"] = Math.Round(result.Timings.Sum(t => t.Duration.TotalSeconds), 2),
        ["tuning"] = figures["tuning"]?.DeepClone(),
        ["metrics"] = figures["metrics"]?["test"]?.DeepClone(),
        ["cv"] = figures["cv"]?.DeepClone(),
        ["report"] = run.Files.Html,
    };
    Console.WriteLine(json.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    return result.Validation.Passed ? 0 : 3;
}
catch (MlToolkitException ex)
{
    Console.Error.WriteLine($"error ({ex.Stage}): {ex.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("error: cancelled (Ctrl+C); no model was saved.");
    return 1;
}
