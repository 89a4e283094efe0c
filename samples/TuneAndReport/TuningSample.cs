using System.Globalization;
using MlToolkit;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Reporting;
using MlToolkit.Storage;
using MlToolkit.Training.Search;
using QuickStart;

namespace TuneAndReport;

/// <summary>What the sample runs on and how.</summary>
public sealed class TuningSampleOptions
{
    /// <summary>A binary-label CSV file, or <see langword="null"/> for UCI Adult from <c>../shared/data</c> when it is there, else generated customers.</summary>
    public string? DataPath { get; set; }

    /// <summary>The label column; <see langword="null"/> for the data set's own (Adult: <c>label(IsOver50K)</c>, generated: <c>Churned</c>).</summary>
    public string? Label { get; set; }

    /// <summary>Columns left out of the features.</summary>
    public IReadOnlyList<string> Ignore { get; set; } = [];

    /// <summary>Rows generated when no data set is given or found.</summary>
    /// <value>The default value is 50,000.</value>
    public int GeneratedRows { get; set; } = 50_000;

    /// <summary>Configurations in successive halving's first round.</summary>
    /// <value>The default value is 27 (then 9 and 3 with a factor of 3).</value>
    public int Trials { get; set; } = 27;

    /// <summary>The trainers searched: <c>lightgbm</c> (stopping early on the validation part), <c>fasttree</c>, <c>sdca</c>, <c>lbfgs</c>.</summary>
    /// <value>The default value is <c>lightgbm, fasttree, sdca</c>.</value>
    public IReadOnlyList<string> Trainers { get; set; } = ["lightgbm", "fasttree", "sdca"];

    /// <summary>Trials trained at once.</summary>
    /// <value>The default value is 1.</value>
    public int Parallel { get; set; } = 1;

    /// <summary>Where the model and the report go.</summary>
    /// <value>The default value is <c>artifacts/tuning</c>.</value>
    public string Output { get; set; } = Path.Combine("artifacts", "tuning");

    /// <summary>The pipeline's seed.</summary>
    /// <value>The default value is 42.</value>
    public int Seed { get; set; } = 42;
}

/// <summary>What the sample did.</summary>
/// <param name="Result">The pipeline's result.</param>
/// <param name="Report">The report.</param>
/// <param name="Files">Where the report was written.</param>
/// <param name="Data">The data set it ran on.</param>
public sealed record TuningSampleResult(PipelineResult Result, PipelineReport Report, ReportFiles Files, string Data);

/// <summary>
/// Successive halving over LightGBM (stopping early on the validation part), FastTree and SDCA on a real-sized data set,
/// then cross-validation of the winner, permutation importance, a learning curve and the validation gates, all in the report.
/// </summary>
public static class TuningSample
{
    /// <summary>The data set <see cref="TuningSampleOptions.DataPath"/> stands for: given, UCI Adult beside the repository, or generated.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The CSV path, its label and the columns to ignore.</returns>
    public static (string Path, string Label, IReadOnlyList<string> Ignore) ResolveData(TuningSampleOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.DataPath is { } given)
        {
            return (given, options.Label ?? throw new ArgumentException("A data file needs its label column (--label)."), options.Ignore);
        }

        // ../shared/data beside the repository (never committed): UCI Adult, 32,561 rows.
        for (DirectoryInfo? dir = new(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string adult = Path.Combine(dir.FullName, "shared", "data", "adult.csv");
            if (File.Exists(adult))
            {
                return (adult, options.Label ?? "label(IsOver50K)", options.Ignore);
            }
        }

        string csv = Path.GetFullPath(Path.Combine(options.Output, "data", string.Create(CultureInfo.InvariantCulture, $"churn-{options.GeneratedRows}.csv")));
        if (!File.Exists(csv))
        {
            ChurnData.Write(csv, options.GeneratedRows, options.Seed);
        }

        return (csv, options.Label ?? "Churned", [.. options.Ignore, "CustomerId"]);
    }

    /// <summary>The search spaces of the trainers named in <see cref="TuningSampleOptions.Trainers"/>.</summary>
    /// <param name="trainers">The names: <c>lightgbm</c>, <c>fasttree</c>, <c>sdca</c>, <c>lbfgs</c>.</param>
    /// <returns>One space per name.</returns>
    /// <exception cref="ArgumentException">A name is none of those.</exception>
    public static ISearchSpace[] Spaces(IReadOnlyList<string> trainers)
    {
        ArgumentNullException.ThrowIfNull(trainers);
        return [.. trainers.Select(name => name.ToLowerInvariant() switch
        {
            "lightgbm" => SearchSpaces.Binary.LightGbm(earlyStoppingRounds: 20), // stops when validation log-loss stalls for 20 rounds
            "fasttree" => SearchSpaces.Binary.FastTree(),
            "sdca" => SearchSpaces.Binary.SdcaLogisticRegression(),
            "lbfgs" => (ISearchSpace)SearchSpaces.Binary.LbfgsLogisticRegression(),
            _ => throw new ArgumentException($"Unknown trainer '{name}': use lightgbm, fasttree, sdca or lbfgs."),
        })];
    }

    /// <summary>Runs the search and everything after it, saves the model and writes the report beside it.</summary>
    /// <param name="options">The options.</param>
    /// <param name="progress">Receives progress.</param>
    /// <param name="runOptions">How the run is steered, or <see langword="null"/>: <see cref="PipelineRunOptions.StopSearch"/> stops the search, and the run goes on with the best trial so far (the first Ctrl+C).</param>
    /// <param name="cancellationToken">Cancels the run: no model is saved and no report written (the second Ctrl+C).</param>
    /// <returns>The result and the report's files.</returns>
    public static async Task<TuningSampleResult> RunAsync(TuningSampleOptions options, IProgress<PipelineProgress>? progress = null, PipelineRunOptions? runOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        (string data, string label, IReadOnlyList<string> ignore) = ResolveData(options);
        var store = new LocalArtifactStore(options.Output);

        // <tuning>
        var search = new SearchOptions
        {
            Strategy = SearchStrategy.SuccessiveHalving,         // 27 configurations on 1/9 of the rows, the best 9 on 1/3, the best 3 on all
            MaxTrials = options.Trials,
            HalvingFactor = 3,
            MaxDegreeOfParallelism = options.Parallel,           // LightGBM already uses every core; SDCA runs on one
        };

        ISearchSpace[] spaces = Spaces(options.Trainers);

        PipelineBuilder builder = new PipelineBuilder(options.Seed)
            .FromCsv(data)
            .Label(label)
            .Split(test: 0.2, validation: 0.1)                   // trials are judged on the validation part
            .Tune(search, spaces)                                // several trainers in one search
            .CrossValidate(5)                                    // the winner's spread over 5 stratified folds
            .ExplainFeatures(repeats: 3)                         // permutation importance of the raw columns
            .LearningCurve(5)
            .Validate(v => v.AtLeast(Metric.Auc, 0.75))
            .DiagnoseFit()
            .SaveModelTo(store, "model.zip");
        // </tuning>
        if (ignore.Count > 0)
        {
            builder.Ignore([.. ignore]);
        }

        PipelineResult result = await builder.Build().RunAsync(progress, runOptions ?? new PipelineRunOptions(), cancellationToken).ConfigureAwait(false);
        PipelineReport report = PipelineReport.Create(result, $"Tuned on {Path.GetFileName(data)}");
        ReportFiles files = await report.WriteAsync(store, "report", cancellationToken).ConfigureAwait(false);
        return new TuningSampleResult(result, report, files, data);
    }
}
