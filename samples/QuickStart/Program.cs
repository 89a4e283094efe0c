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
Dictionary<string, string?> options;
Action<PipelineBuilder, MlTask> extend;
try
{
    options = Args.Parse(args);
    extend = Args.Extras(options);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(Args.Usage);
    return 2;
}

if (options.ContainsKey("help"))
{
    Console.WriteLine(Args.Usage);
    return 0;
}

try
{
    string artifacts = Path.GetFullPath("artifacts");
    if (!options.TryGetValue("data", out string? data) || data is null)
    {
        string csv = Path.Combine(artifacts, "data", "churn.csv");
        ChurnData.Write(csv);
        Console.WriteLine($"Generated {csv}");
        PipelineResult result = await ConsoleProgress.RunAsync(progress => QuickStartPipeline.RunAsync(csv, artifacts, progress, b => extend(b, MlTask.BinaryClassification)), options.ContainsKey("plain"));
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
        (PipelineResult result, string modelFolder) = await ConsoleProgress.RunAsync(progress => CustomRun.RunAsync(options, data, artifacts, progress, extend), options.ContainsKey("plain"));
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
    Console.Error.WriteLine($"error ({ex.Stage}): {ex.Message}");
    return 1;
}

internal static class Args
{
    public const string Usage = "usage: QuickStart [--cv <k>] [--tune <trials>] [--plain] [--data <csv> --label <column> [--task binary|multiclass|regression] [--test <csv>] [--separator <c>] [--missing <token>] [--trainer lightgbm|fasttree|sdca|lbfgs] [--seed <n>] [--no-header] [--no-quotes] [--ignore a,b]]";

    private static readonly HashSet<string> Flags = ["no-header", "no-quotes", "help", "plain"];
    private static readonly HashSet<string> Valued = ["data", "label", "task", "test", "separator", "missing", "trainer", "seed", "ignore", "cv", "tune"];

    public static Dictionary<string, string?> Parse(string[] args)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            if (Flags.Contains(name))
            {
                result[name] = null;
            }
            else if (Valued.Contains(name))
            {
                result[name] = i + 1 < args.Length ? args[++i] : throw new ArgumentException($"--{name} needs a value.");
            }
            else
            {
                throw new ArgumentException($"Unknown option --{name}.");
            }
        }

        if (result.ContainsKey("data") != result.ContainsKey("label"))
        {
            throw new ArgumentException("--data and --label go together.");
        }

        return result;
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
    /// <returns>The result and the folder the model was saved to.</returns>
    public static async Task<(PipelineResult Result, string ModelFolder)> RunAsync(Dictionary<string, string?> options, string data, string artifacts, IProgress<PipelineProgress> progress, Action<PipelineBuilder, MlTask> extend)
    {
        string label = options["label"]!;
        CsvSourceOptions Csv()
        {
            var csv = new CsvSourceOptions { HasHeader = !options.ContainsKey("no-header"), AllowQuotes = !options.ContainsKey("no-quotes") };
            if (options.TryGetValue("separator", out string? sep) && sep is not null)
            {
                csv.Separator = sep switch { "\\t" or "tab" => '\t', _ when sep.Length == 1 => sep[0], _ => throw new ArgumentException("--separator takes one character (or 'tab').") };
            }

            if (options.TryGetValue("missing", out string? missing) && missing is not null)
            {
                csv.MissingValues.Add(missing);
            }

            return csv;
        }

        CsvDataSource source = CsvDataSource.FromFile(data, Csv());
        MlTask task = options.TryGetValue("task", out string? t) && t is not null
            ? t.ToLowerInvariant() switch
            {
                "binary" => MlTask.BinaryClassification,
                "multiclass" => MlTask.MulticlassClassification,
                "regression" => MlTask.Regression,
                _ => throw new ArgumentException($"Unknown task '{t}'."),
            }
            : await InferTaskAsync(source, label);
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

        if (options.TryGetValue("test", out string? test) && test is not null)
        {
            builder.TestOn(CsvDataSource.FromFile(test, Csv()));
        }

        extend(builder, task);
        return (await builder.Build().RunAsync(progress), Path.Combine(artifacts, name));
    }

    /// <summary>Text or boolean labels with two values are binary, more are multiclass; numbers are regression unless they are only 0 and 1.</summary>
    private static async Task<MlTask> InferTaskAsync(CsvDataSource source, string label)
    {
        ExtractedData extracted = await source.ExtractAsync(ExtractionContext.Standalone());
        DataTable table = DataTable.FromDataView(extracted.Data, source.Name);
        DataTableColumn column = table.FindColumn(label) ?? throw new ArgumentException($"{source.Name} has no column '{label}'.");
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
