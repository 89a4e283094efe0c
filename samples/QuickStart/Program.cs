using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit;
using MlToolkit.Data;
using MlToolkit.Deployment;
using MlToolkit.Deployment.Registry;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;
using MlToolkit.Pipeline;
using MlToolkit.Reporting;
using MlToolkit.Samples;
using MlToolkit.Storage;
using MlToolkit.Training;
using MlToolkit.Training.Search;
using QuickStart;
using Search = MlToolkit.Training.Search.Search;

// dotnet run --project samples/QuickStart [-- [--cv <k>] [--tune <trials>] [--data <csv> --label <column> [--task binary|multiclass|regression]
//   [--test <csv>] [--separator <c>] [--missing <token>] [--trainer <name>] [--seed <n>] [--no-header] [--no-quotes] [--ignore a,b]]]
// Exit codes: 0 done, 1 the run failed or was cancelled, 2 bad usage (an unknown option, a bad value, a missing file, a column
// the data lacks). Every failure ends with one line on standard error, never a stack trace.
// Ctrl+C during the search of --tune stops it, and the run goes on with the best trial so far; Ctrl+C again cancels the run.
Dictionary<string, string?> options;
Action<PipelineBuilder, MlTask> extend;
try
{
    options = Args.Parse(args);
    extend = Args.Extras(options);
}
catch (ArgumentException ex)
{
    return Fail.Usage(ex.Message);
}

if (options.ContainsKey("help"))
{
    Console.WriteLine(Args.Help);
    return 0;
}

using var ctrlC = new ConsoleCancellation();
try
{
    string artifacts = Path.GetFullPath("artifacts");
    if (!options.TryGetValue("data", out string? data) || data is null)
    {
        string csv = Path.Combine(artifacts, "data", "churn.csv");
        ChurnData.Write(csv);
        Console.WriteLine($"Generated {csv}");
        PipelineResult result = await ConsoleProgress.RunAsync(progress => QuickStartPipeline.RunAsync(csv, artifacts, progress, b => extend(b, MlTask.BinaryClassification), ctrlC.RunOptions, ctrlC.Token), options.ContainsKey("plain"), ctrlC);
        Report.Print(result);

        // The report goes beside the registry's versions: artifacts/quickstart/reports/<version>.html.
        string? version = result.Deployments.FirstOrDefault()?.Version is { } v ? v.ToString("D8", CultureInfo.InvariantCulture) : null;
        PipelineReport report = PipelineReport.Create(result, "QuickStart churn model");
        ReportFiles files = await report.WriteAsync(Path.Combine(artifacts, "quickstart", "reports"), version ?? "unpublished");
        Console.WriteLine($"Report: {files.Html}");
        await Prediction.ShowAsync(new ModelRegistry(new LocalArtifactStore(artifacts), "quickstart"), csv);
        Report.PrintJson(result, report, files);
        return 0;
    }
    else
    {
        TrainingPipeline pipeline;
        string modelFolder;
        try
        {
            (pipeline, modelFolder) = await CustomRun.BuildAsync(options, data, artifacts, extend);
        }
        catch (ArgumentException ex)
        {
            return Fail.Usage(ex.Message);
        }
        catch (PipelineValidationException ex)
        {
            // A column the data lacks, a label of the wrong type…: what the user asked for does not fit the data.
            return Fail.Usage(ex.Message);
        }

        PipelineResult result = await ConsoleProgress.RunAsync(progress => pipeline.RunAsync(progress, ctrlC.RunOptions, ctrlC.Token), options.ContainsKey("plain"), ctrlC);
        Report.Print(result);
        PipelineReport report = PipelineReport.Create(result, $"{Path.GetFileName(data)}: {result.Trainer}");
        ReportFiles files = await report.WriteAsync(modelFolder, "report");
        Console.WriteLine($"Report: {files.Html}");
        Report.PrintJson(result, report, files);
        return 0;
    }
}
catch (MlToolkitException ex)
{
    return Fail.Run($"error ({ex.Stage}): {ex.Message}");
}
catch (OperationCanceledException)
{
    return Fail.Run("error: cancelled (Ctrl+C); no model was saved or published.");
}
catch (Exception ex)
{
    // Anything else is a failed run too: one line, never a stack trace.
    return Fail.Run($"error: {ex.GetType().Name}: {ex.Message}");
}

/// <summary>How the QuickStart ends when something is wrong: one line on standard error and an exit code.</summary>
internal static class Fail
{
    /// <summary>Bad usage: exit code 2.</summary>
    public static int Usage(string message)
    {
        Console.Error.WriteLine($"QuickStart: {OneLine(message)} (--help lists the options)");
        return 2;
    }

    /// <summary>A failed run: exit code 1.</summary>
    public static int Run(string message)
    {
        Console.Error.WriteLine(OneLine(message));
        return 1;
    }

    /// <summary>A message of several lines (a list of problems) as one: "problems: a; b".</summary>
    private static string OneLine(string message)
    {
        var line = new System.Text.StringBuilder();
        foreach (string part in message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.Length > 0)
            {
                line.Append(line[^1] == ':' ? " " : "; ");
            }

            line.Append(part.StartsWith("- ", StringComparison.Ordinal) ? part[2..] : part);
        }

        return line.ToString();
    }
}

internal static class Args
{
    /// <summary>Every option: its name, what it takes, its default and what it does (one line each in <see cref="Help"/>).</summary>
    private static readonly (string Name, string? Value, string Default, string Description)[] Options =
    [
        ("data", "<csv>", "generated churn data", "train on this CSV file"),
        ("label", "<column>", "none; needed with --data", "the column to predict"),
        ("task", "binary|multiclass|regression", "inferred from the label", "the kind of prediction"),
        ("test", "<csv>", "20% of --data", "a separate CSV file to test on"),
        ("separator", "<c>", ",", "the field separator: one character, tab, or one followed by spaces (\", \")"),
        ("missing", "<token>", "empty, ? and NA", "one more value read as missing"),
        ("trainer", string.Join('|', Trainers.Names), "lightgbm", "the trainer"),
        ("seed", "<n>", "42", "the seed of the split and the trainer"),
        ("ignore", "a,b", "none", "columns left out of the features"),
        ("no-header", null, "the first line is a header", "the file has no header row"),
        ("no-quotes", null, "RFC 4180 quotes", "quotes are ordinary text"),
        ("cv", "<k>", "none", "k-fold cross-validation of the training part (k >= 2)"),
        ("tune", "<trials>", "none", "a random search over every built-in trainer of the task (Ctrl+C stops it, keeping the best so far)"),
        ("plain", null, "bars on a terminal", "progress as plain lines"),
        ("help", null, string.Empty, "show this help"),
    ];

    private static readonly string[] Tasks = ["binary", "multiclass", "regression"];

    private static readonly string[] DataOnly = ["task", "test", "separator", "missing", "trainer", "seed", "ignore", "no-header", "no-quotes"];

    public static string Help { get; } = "usage: dotnet run --project samples/QuickStart [-- options]\n"
        + string.Join('\n', Options.Select(o => $"  {"--" + o.Name + (o.Value is null ? string.Empty : " " + o.Value),-48} {o.Description}{(o.Default.Length == 0 ? string.Empty : $" (default: {o.Default})")}"));

    public static Dictionary<string, string?> Parse(string[] args)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            int option = Array.FindIndex(Options, o => o.Name == name);
            if (option < 0)
            {
                throw new ArgumentException($"Unknown option --{name}.");
            }

            result[name] = Options[option].Value is null ? null
                : i + 1 < args.Length ? args[++i]
                : throw new ArgumentException($"--{name} needs a value ({Options[option].Value}).");
        }

        if (result.ContainsKey("help"))
        {
            return result;
        }

        if (result.ContainsKey("data") != result.ContainsKey("label"))
        {
            throw new ArgumentException("--data and --label go together.");
        }

        foreach (string file in (string[])["data", "test"])
        {
            if (result.TryGetValue(file, out string? path) && !File.Exists(path))
            {
                throw new ArgumentException($"--{file}: there is no file '{path}'.");
            }
        }

        // The generated data's run is fixed (samples/QuickStart/QuickStartPipeline.cs); these options shape a run on --data only.
        string[] dataOnly = [.. DataOnly.Where(result.ContainsKey)];
        if (dataOnly.Length > 0 && !result.ContainsKey("data"))
        {
            throw new ArgumentException($"{string.Join(", ", dataOnly.Select(o => "--" + o))} {(dataOnly.Length == 1 ? "goes" : "go")} with --data.");
        }

        if (result.TryGetValue("task", out string? task) && !Tasks.Contains(task!.ToLowerInvariant()))
        {
            throw new ArgumentException($"--task takes {string.Join(", ", Tasks)}, not '{task}'.");
        }

        if (result.TryGetValue("trainer", out string? trainer) && !Trainers.Names.Contains(trainer!.ToLowerInvariant()))
        {
            throw new ArgumentException($"--trainer takes {string.Join(", ", Trainers.Names)}, not '{trainer}'.");
        }

        if (result.TryGetValue("seed", out string? seed) && !int.TryParse(seed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException($"--seed takes a whole number, not '{seed}'.");
        }

        if (result.TryGetValue("separator", out string? separator))
        {
            _ = Separator(separator!);
        }

        return result;
    }

    /// <summary>
    /// The separator character: one character, <c>tab</c>, or one character followed by spaces, such as UCI Adult's <c>", "</c>:
    /// values are trimmed of spaces around them, so a comma and a space separate fields exactly as the comma alone does.
    /// </summary>
    public static char Separator(string text)
    {
        if (text is "\\t" or "tab" or "\t")
        {
            return '\t';
        }

        string first = text.TrimEnd(' ');
        return first.Length == 1 && first[0] is not ' ' and not '"' and < (char)128
            ? first[0]
            : throw new ArgumentException($"--separator takes one ASCII character other than a quote, 'tab', or a character followed by spaces such as ', ', not '{text}' (separators of several characters are not supported).");
    }

    /// <summary>
    /// <c>--cv k</c>: k-fold cross-validation of the training part (stratified for classification); <c>--tune n</c>: a random
    /// search of n configurations over every built-in trainer of the task, the best one refitted.
    /// </summary>
    public static Action<PipelineBuilder, MlTask> Extras(Dictionary<string, string?> options)
    {
        int? folds = Count(options, "cv", 2);
        int? trials = Count(options, "tune", 1);
        return (builder, task) =>
        {
            if (folds is { } k)
            {
                builder.CrossValidate(k);
            }

            if (trials is { } n)
            {
                builder.Tune(Search.Random(n), [.. SearchSpaces.All(task)]);
            }
        };
    }

    private static int? Count(Dictionary<string, string?> options, string name, int min)
        => !options.TryGetValue(name, out string? text) ? null
            : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min ? value
            : throw new ArgumentException($"--{name} takes a whole number of at least {min}, not '{text}'.");
}

internal static class CustomRun
{
    /// <summary>The pipeline the options describe, built (so every problem with the data's columns is found here), and the folder its model goes to.</summary>
    public static async Task<(TrainingPipeline Pipeline, string ModelFolder)> BuildAsync(Dictionary<string, string?> options, string data, string artifacts, Action<PipelineBuilder, MlTask> extend)
    {
        string label = options["label"]!;
        CsvSourceOptions Csv()
        {
            var csv = new CsvSourceOptions { HasHeader = !options.ContainsKey("no-header"), AllowQuotes = !options.ContainsKey("no-quotes") };
            if (options.TryGetValue("separator", out string? sep) && sep is not null)
            {
                csv.Separator = Args.Separator(sep);
            }

            if (options.TryGetValue("missing", out string? missing) && missing is not null)
            {
                csv.MissingValues.Add(missing);
            }

            return csv;
        }

        CsvDataSource source = CsvDataSource.FromFile(data, Csv());
        // Data that cannot be read is a failed run (exit code 1), not bad usage: read the header and sample before Build(),
        // which would report it among the pipeline's problems.
        _ = source.GetSchema();
        CsvDataSource? testSource = options.TryGetValue("test", out string? test) && test is not null ? CsvDataSource.FromFile(test, Csv()) : null;
        _ = testSource?.GetSchema();

        // Without --task, the task is inferred from the label's values; when the data has no such column, any task will do:
        // Build() then names the column and the closest one the data has.
        MlTask task = options.TryGetValue("task", out string? t) && t is not null
            ? t.ToLowerInvariant() switch
            {
                "binary" => MlTask.BinaryClassification,
                "multiclass" => MlTask.MulticlassClassification,
                _ => MlTask.Regression,
            }
            : await InferTaskAsync(source, label) ?? MlTask.BinaryClassification;
        int seed = options.TryGetValue("seed", out string? s) && s is not null ? int.Parse(s, CultureInfo.InvariantCulture) : 42;
        string trainer = options.GetValueOrDefault("trainer") ?? "lightgbm";
        string name = Path.GetFileNameWithoutExtension(data);

        PipelineBuilder builder = new PipelineBuilder(seed)
            .From(source)
            .Label(label)
            .Train(Trainers.ByName(task, trainer))
            .SaveModelTo(new LocalArtifactStore(artifacts), $"{name}/model.zip");
        if (options.TryGetValue("ignore", out string? ignore) && ignore is not null)
        {
            builder.Ignore(ignore.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        if (testSource is not null)
        {
            builder.TestOn(testSource);
        }

        extend(builder, task);
        return (builder.Build(), Path.Combine(artifacts, name));
    }

    /// <summary>
    /// Text or boolean labels with two values are binary, more are multiclass; numbers are regression unless they are only 0
    /// and 1. <see langword="null"/> when the data has no column <paramref name="label"/>.
    /// </summary>
    private static async Task<MlTask?> InferTaskAsync(CsvDataSource source, string label)
    {
        if (source.GetSchema().GetColumnOrNull(label) is null)
        {
            return null;
        }

        ExtractedData extracted = await source.ExtractAsync(ExtractionContext.Standalone());
        DataTable table = DataTable.FromDataView(extracted.Data, source.Name);
        DataTableColumn column = table.FindColumn(label)!;
        var values = Enumerable.Range(0, table.RowCount).Select(column.FormatValue).Where(v => v is not null).Distinct().Take(3).ToList();
        return column.Kind switch
        {
            ColumnKind.Boolean => MlTask.BinaryClassification,
            ColumnKind.Text => values.Count == 2 ? MlTask.BinaryClassification : MlTask.MulticlassClassification,
            _ => values.Count == 2 && values.All(v => v is "0" or "1") ? MlTask.BinaryClassification : MlTask.Regression,
        };
    }
}

internal static class Report
{
    public static void Print(PipelineResult result)
    {
        Console.WriteLine($"Task: {result.Task}, trainer: {result.Trainer}, rows: {result.Rows} (train {result.TrainRows}, test {result.TestRows})");
        if (result.Tuning is { StoppedEarly: true } search)
        {
            Console.WriteLine($"Search stopped (Ctrl+C) after {search.Trials.Count} of {search.PlannedTrials} trials; trained the best so far: {search.Best!.Description}");
        }

        if (result.DataQuality.MissingValues.Count > 0)
        {
            Console.WriteLine("Missing values: " + string.Join(", ", result.DataQuality.MissingValues.Select(p => $"{p.Key} {p.Value}")));
        }

        foreach ((string metric, double value) in result.Metrics.Metrics)
        {
            Console.WriteLine($"  {metric,-14} {value:F4}");
        }

        foreach (StageTiming timing in result.Timings)
        {
            Console.WriteLine($"  {timing.Stage,-12} {timing.Duration.TotalMilliseconds,8:F0} ms");
        }

        if (result.Validation is { } validation)
        {
            Console.WriteLine($"Validation {(validation.Passed ? "passed" : "FAILED")}:");
            foreach (var gate in validation.Gates)
            {
                Console.WriteLine($"  [{(gate.Passed ? "pass" : "FAIL")}] {gate.Name}: {gate.Reason}");
            }
        }

        if (result.DeploymentSkippedReason is not null)
        {
            Console.WriteLine($"Not deployed: {result.DeploymentSkippedReason}");
        }

        DeploymentResult? deployment = result.Deployments.FirstOrDefault();
        if (deployment?.Version is { } version)
        {
            Console.WriteLine($"Published version {version}; {(deployment.PromotedTo is { } alias ? $"promoted to '{alias}'" : deployment.PromotionSkippedReason)}");
        }

        Console.WriteLine($"Model: {result.ModelLocation}");
    }

    /// <summary>A copy of <paramref name="node"/> with every number rounded to 6 decimals, as the metrics are.</summary>
    private static JsonNode? Rounded(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Rounded(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Rounded)]),
        JsonValue v when v.TryGetValue(out double d) => JsonValue.Create(Math.Round(d, 6)),
        _ => node?.DeepClone(),
    };

    /// <summary>The last line of standard output: one JSON object.</summary>
    public static void PrintJson(PipelineResult result, PipelineReport report, ReportFiles files)
    {
        JsonObject figures = report.ToJsonObject();
        DeploymentResult? deployment = result.Deployments.FirstOrDefault();
        var metrics = new JsonObject();
        foreach ((string metric, double value) in result.Metrics.Metrics)
        {
            metrics[metric] = double.IsFinite(value) ? JsonValue.Create(Math.Round(value, 6)) : null;
        }

        var json = new JsonObject
        {
            ["task"] = result.Task switch { MlTask.BinaryClassification => "binary", MlTask.MulticlassClassification => "multiclass", _ => "regression" },
            ["rows"] = result.Rows,
            ["trainRows"] = result.TrainRows,
            ["testRows"] = result.TestRows,
            ["trainer"] = result.Trainer,
            ["metrics"] = metrics,
            ["model"] = result.ModelLocation,
            ["version"] = deployment?.Version,
            ["promoted"] = deployment?.PromotedTo is not null,
            ["validation"] = result.Validation is null ? null : new JsonObject
            {
                ["passed"] = result.Validation.Passed,
                ["verdict"] = result.Validation.Diagnosis?.Verdict.ToString().ToLowerInvariant(),
                ["gates"] = new JsonArray(result.Validation.Gates.Select(g => (JsonNode)new JsonObject
                {
                    ["name"] = g.Name,
                    ["passed"] = g.Passed,
                    ["actual"] = double.IsFinite(g.Actual) ? Math.Round(g.Actual, 6) : null,
                    ["threshold"] = double.IsFinite(g.Threshold) ? Math.Round(g.Threshold, 6) : null,
                    ["reason"] = g.Reason,
                }).ToArray()),
            },
            ["cv"] = Rounded(figures["cv"]),
            ["tuning"] = Rounded(figures["tuning"]),
            ["report"] = files.Html,
        };
        Console.WriteLine(json.ToJsonString(new JsonSerializerOptions { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }
}

internal static class Prediction
{
    /// <summary>Loads the production model (its SHA-256 checked first) and scores the first customer of the data.</summary>
    public static async Task ShowAsync(ModelRegistry registry, string csv)
    {
        if (await registry.GetAliasAsync("production") is null)
        {
            Console.WriteLine("Nothing is in production yet, so there is no prediction to show.");
            return;
        }

        LoadedModel model = await registry.LoadAsync("production");
        CsvDataSource source = CsvDataSource.FromFile(csv);
        DataTable rows = DataTable.FromDataView((await source.ExtractAsync(ExtractionContext.Standalone())).Data, source.Name).Subset([0]);
        Microsoft.ML.IDataView scored = model.Transformer.Transform(rows);
        bool churn = scored.GetColumn<bool>("PredictedLabel").First();
        float probability = scored.GetColumn<float>("Probability").First();
        string customer = ((TextColumn)rows.FindColumn("CustomerId")!).Values[0]!;
        Console.WriteLine($"Prediction by '{registry.Name}' version {model.Manifest.Version} (production) for {customer}: churn {(churn ? model.Manifest.Classes[1] : model.Manifest.Classes[0])} (p = {probability:F3})");
    }
}
