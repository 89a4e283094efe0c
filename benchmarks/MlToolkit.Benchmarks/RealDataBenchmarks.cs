using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using MlToolkit.Evaluation;
using MlToolkit.Extraction.Csv;
using MlToolkit.Pipeline;
using MlToolkit.Training;

namespace MlToolkit.Benchmarks;

/// <summary>
/// A real data set from CSV to metrics: NYC taxi fares (<c>taxi-fare-train.csv</c> and <c>taxi-fare-test.csv</c>,
/// 100,000 rows each, 7 columns, 2 categorical), a LightGBM regression of <c>fare_amount</c>. Hand-written ML.NET (the
/// baseline: <c>TextLoader</c>, one-hot encoding, <c>Fit</c>, <c>Evaluate</c>) against a whole MlToolkit pipeline reading the
/// same files with its CSV source. Both read the files on every run. Runs only where the shared data folder is present
/// (<see cref="SharedData"/>), and never with <c>--quick</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RealDataConfig))]
public class RealDataBenchmarks
{
    private static readonly string[] Numbers = ["rate_code", "passenger_count", "trip_time_in_secs", "trip_distance"];
    private static readonly string[] Categories = ["vendor_id", "payment_type"];
    private string _train = string.Empty;
    private string _test = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        string folder = SharedData.Folder ?? throw new InvalidOperationException($"The shared data folder was not found; set {SharedData.Variable}.");
        _train = Path.Combine(folder, "taxi-fare-train.csv");
        _test = Path.Combine(folder, "taxi-fare-test.csv");
        double raw = OpenMpHygiene.OnThreadOfItsOwn(RawMlNet);
        double ours = MlToolkitPipeline().GetAwaiter().GetResult();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// Data: {_train} ({new FileInfo(_train).Length:N0} bytes) and {_test} ({new FileInfo(_test).Length:N0} bytes). Test R²: raw {raw:F6}, MlToolkit {ours:F6}."));
        const double tolerance = 5e-3;
        if (Math.Abs(raw - ours) > tolerance)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The two sides disagree: test R² {raw:F6} (raw ML.NET) vs {ours:F6} (MlToolkit), more than {tolerance} apart."));
        }
    }

    /// <summary>ML.NET: <c>TextLoader</c> (missing numbers as NaN), one-hot, <c>Concatenate</c>, cache, LightGBM; evaluate on the test file.</summary>
    /// <returns>The test R².</returns>
    [Benchmark(Baseline = true)]
    public double RawMlNet()
    {
        var ml = new MLContext(TrainingBenchmarks.Seed);
        TextLoader loader = ml.Data.CreateTextLoader(new TextLoader.Options
        {
            HasHeader = true,
            Separators = [','],
            MissingRealsAsNaNs = true,
            Columns =
            [
                new TextLoader.Column("vendor_id", DataKind.String, 0),
                new TextLoader.Column("rate_code", DataKind.Single, 1),
                new TextLoader.Column("passenger_count", DataKind.Single, 2),
                new TextLoader.Column("trip_time_in_secs", DataKind.Single, 3),
                new TextLoader.Column("trip_distance", DataKind.Single, 4),
                new TextLoader.Column("payment_type", DataKind.String, 5),
                new TextLoader.Column("fare_amount", DataKind.Single, 6),
            ],
        });
        IEstimator<ITransformer> chain = ml.Transforms.Categorical.OneHotEncoding([.. Categories.Select(c => new InputOutputColumnPair(c))])
            .Append(ml.Transforms.Concatenate("Features", [.. Numbers, .. Categories]))
            .AppendCacheCheckpoint(ml)
            .Append(ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
            {
                NumberOfIterations = 100,
                LabelColumnName = "fare_amount",
                FeatureColumnName = "Features",
                Seed = TrainingBenchmarks.Seed,
            }));
        ITransformer model = chain.Fit(loader.Load(_train));
        return ml.Regression.Evaluate(model.Transform(loader.Load(_test)), "fare_amount").RSquared;
    }

    /// <summary>MlToolkit: <c>FromCsv(train).TestOn(test)</c>, one-hot of the two categories, LightGBM regression.</summary>
    /// <returns>The test R².</returns>
    [Benchmark]
    public async Task<double> MlToolkitPipeline()
    {
        PipelineResult result = await new PipelineBuilder(TrainingBenchmarks.Seed)
            .FromCsv(_train)
            .TestOn(CsvDataSource.FromFile(_test))
            .Label("fare_amount")
            .Prepare(p => p.OneHotEncode(Categories))
            .Train(Trainers.Regression.LightGbm())
            .Build()
            .RunAsync()
            .ConfigureAwait(false);
        return result.Metrics.Metrics[Metric.R2];
    }
}

/// <summary>Where the shared real data sets are: <c>MLTOOLKIT_SHARED_DATA</c>, or a <c>shared/data</c> folder beside an ancestor of the working directory.</summary>
public static class SharedData
{
    public const string Variable = "MLTOOLKIT_SHARED_DATA";

    /// <summary>The folder holding <c>taxi-fare-train.csv</c>, or <see langword="null"/>.</summary>
    public static string? Folder
    {
        get
        {
            if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } set)
            {
                return File.Exists(Path.Combine(set, "taxi-fare-train.csv")) ? set : null;
            }

            for (DirectoryInfo? dir = new(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data");
                if (File.Exists(Path.Combine(candidate, "taxi-fare-train.csv")) && File.Exists(Path.Combine(candidate, "taxi-fare-test.csv")))
                {
                    return candidate;
                }
            }

            return null;
        }
    }
}

/// <summary>One warmup and ten measured iterations in one process: an operation takes seconds.</summary>
public sealed class RealDataConfig : ManualConfig
{
    public RealDataConfig()
    {
        AddColumn(new BaselineDeltaColumn("ms", 1e6));
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(10).WithId("RealData"));
    }
}
