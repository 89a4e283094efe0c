using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlToolkit;
using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using QuickStart;

// dotnet run --project samples/QuickStart [-- --data <csv> --label <column> [--task binary|multiclass|regression]
//   [--test <csv>] [--separator <c>] [--missing <token>] [--trainer <name>] [--seed <n>] [--no-header] [--no-quotes] [--ignore a,b]]
Dictionary<string, string?> options;
try
{
    options = Args.Parse(args);
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

var progress = new Progress<PipelineProgress>(p =>
{
    if (!p.Completed)
    {
        Console.Error.WriteLine($"[{p.StageNumber}/{p.StageCount}] {p.Message}");
    }
});

try
{
    PipelineResult result;
    string artifacts = Path.GetFullPath("artifacts");
    if (!options.TryGetValue("data", out string? data) || data is null)
    {
        string csv = Path.Combine(artifacts, "data", "churn.csv");
        ChurnData.Write(csv);
        Console.WriteLine($"Generated {csv}");
        result = await QuickStartPipeline.RunAsync(csv, artifacts, progress);
    }
    else
    {
        result = await CustomRun.RunAsync(options, data, artifacts, progress);
    }

    Report.Print(result);
    return 0;
}
catch (MlToolkitException ex)
{
    Console.Error.WriteLine($"error ({ex.Stage}): {ex.Message}");
    return 1;
}

internal static class Args
{
    public const string Usage = "usage: QuickStart [--data <csv> --label <column> [--task binary|multiclass|regression] [--test <csv>] [--separator <c>] [--missing <token>] [--trainer lightgbm|fasttree|sdca|lbfgs] [--seed <n>] [--no-header] [--no-quotes] [--ignore a,b]]";

    private static readonly HashSet<string> Flags = ["no-header", "no-quotes", "help"];
    private static readonly HashSet<string> Valued = ["data", "label", "task", "test", "separator", "missing", "trainer", "seed", "ignore"];

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
}

internal static class CustomRun
{
    public static async Task<PipelineResult> RunAsync(Dictionary<string, string?> options, string data, string artifacts, IProgress<PipelineProgress> progress)
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

        return await builder.Build().RunAsync(progress);
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

        Console.WriteLine($"Model: {result.ModelLocation}");
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
        };
        Console.WriteLine(json.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
    }
}
