using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.LightGbm;
using MlToolkit.Evaluation;
using MlToolkit.Extraction.InMemory;
using MlToolkit.Pipeline;
using MlToolkit.Training;

namespace MlToolkit.Benchmarks;

/// <summary>
/// Training a binary classifier on the same 80% of the synthetic rows and evaluating it on the same 20%: hand-written ML.NET
/// (the baseline) against a whole MlToolkit pipeline run with the same preparation and trainer. Both return the test AUC,
/// which <see cref="Setup"/> checks is the same on both sides, within 0.002 (ML.NET seeds LightGBM's row sampling and SDCA's
/// shuffling per component, see there).
/// </summary>
/// <remarks>
/// <para>The same preparation on both sides: <c>Concatenate</c> of the 28 floats into <c>Features</c>, nothing else. MlToolkit's
/// default (<c>AutoPrepare</c>) would add a mean <c>ReplaceMissingValues</c> per numeric column (28 of them, an extra fitting
/// pass), so the pipeline names its preparation instead: <c>Select(all 28)</c>, which keeps every column and adds no
/// estimator, leaving exactly the <c>Concatenate</c> the pipeline always ends with. Both cache the prepared data before the
/// trainer (MlToolkit always does; the raw chain has an <c>AppendCacheCheckpoint</c>, as ML.NET's docs advise).</para>
/// <para>The same trainer on both sides: LightGBM with <c>Trainers.Binary.LightGbm()</c>'s options (100 iterations, ML.NET's
/// defaults otherwise, <c>Seed</c> = the pipeline's seed, which MlToolkit sets); SDCA logistic regression (exactly 10 passes,
/// see <see cref="SdcaOptions"/>) behind a
/// <c>NormalizeMinMax</c>, with <c>NumberOfThreads = 1</c>, as MlToolkit does. Each iteration of either side uses a fresh
/// <c>MLContext</c> with the same seed, as every pipeline run does.</para>
/// <para>The raw side's data is loaded and cached once in the setup (<c>LoadFromEnumerable</c> + <c>Data.Cache</c>); the
/// pipeline reads its source on every run (a copy into its own table), which is part of what it costs.</para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(TrainingConfig))]
public class TrainingBenchmarks
{
    public const int Seed = 42;

    private LabeledRow[] _train = [];
    private LabeledRow[] _test = [];
    private MLContext _setupContext = null!;
    private IDataView _rawTrain = null!;
    private IDataView _rawTest = null!;
    private string[] _features = [];

    /// <summary>All rows, split 80/20 by index: 100,000 (6,250 with <c>--quick</c>, so 5,000 training rows).</summary>
    [ParamsSource(nameof(RowCounts))]
    public int Rows { get; set; } = 100_000;

    public static IEnumerable<int> RowCounts => BenchmarkMode.Quick ? [6_250] : [100_000];

    [Params("LightGbm", "SdcaLogisticRegression")]
    public string Trainer { get; set; } = "LightGbm";

    [GlobalSetup]
    public void Setup()
    {
        (_train, _test) = SyntheticBinaryData.SplitByIndex(SyntheticBinaryData.Generate(Rows));
        _features = [.. SyntheticBinaryData.FeatureNames];
        _setupContext = new MLContext(Seed);
        _rawTrain = _setupContext.Data.Cache(_setupContext.Data.LoadFromEnumerable(_train));
        _rawTest = _setupContext.Data.Cache(_setupContext.Data.LoadFromEnumerable(_test));

        // One run of each side: fills the raw side's caches, and checks that both train the same model.
        double raw = OpenMpHygiene.OnThreadOfItsOwn(RawMlNet);
        double ours = MlToolkitPipeline().GetAwaiter().GetResult();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// Data: {_train.Length:N0} training rows, {_test.Length:N0} test rows, {SyntheticBinaryData.FeatureCount} float features, positives {_train.Count(r => r.Label) / (double)_train.Length:P1}. Test AUC: raw {raw:F6}, MlToolkit {ours:F6}."));
        // Same data, preparation and options, but not always the same model: ML.NET gives every component it creates a seed
        // drawn from the MLContext, and a pipeline creates more components before its trainer than the raw chain does. LightGBM
        // (seeded through its options) draws with it the 65,536 rows it samples for its bin boundaries when there are more
        // training rows than that; SDCA shuffles its rows with it. With 5,000 training rows LightGBM gives the same AUC on both
        // sides (and SDCA too with Shuffle = false); with 80,000 both differ in the third decimal.
        const double tolerance = 2e-3;
        if (Math.Abs(raw - ours) > tolerance)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The two sides trained different models: test AUC {raw:F6} (raw ML.NET) vs {ours:F6} (MlToolkit), more than {tolerance} apart."));
        }
    }

    /// <summary>Hand-written ML.NET: Concatenate (+ NormalizeMinMax for SDCA) + trainer, Fit, Transform(test), Evaluate.</summary>
    /// <returns>The test AUC.</returns>
    [Benchmark(Baseline = true)]
    public double RawMlNet()
    {
        var ml = new MLContext(Seed);
        IEstimator<ITransformer> chain = RawChain(ml, Trainer, _features);
        ITransformer model = chain.Fit(_rawTrain);
        CalibratedBinaryClassificationMetrics metrics = ml.BinaryClassification.Evaluate(model.Transform(_rawTest), "Label");
        return metrics.AreaUnderRocCurve;
    }

    /// <summary>A whole MlToolkit pipeline: build (schema checks) and run (extract, quality, split, prepare, train, evaluate).</summary>
    /// <returns>The test AUC.</returns>
    [Benchmark]
    public async Task<double> MlToolkitPipeline()
    {
        ITrainer trainer = OurTrainer(Trainer);
        PipelineResult result = await new PipelineBuilder(Seed)
            .FromEnumerable(_train)
            .TestOn(new EnumerableDataSource<LabeledRow>(_test))
            .Label("Label")
            .Prepare(p => p.Select(_features))
            .Train(trainer)
            .Build()
            .RunAsync()
            .ConfigureAwait(false);
        return result.Metrics.Metrics[Metric.Auc];
    }

    /// <summary>
    /// The hand-written ML.NET chain: <c>Concatenate</c> of the features and a cache checkpoint, then LightGBM with <c>Trainers.Binary.LightGbm()</c>'s
    /// options, or <c>NormalizeMinMax</c> + SDCA logistic regression on one thread, as MlToolkit configures them.
    /// </summary>
    public static IEstimator<ITransformer> RawChain(MLContext ml, string trainer, string[] features)
    {
        // Cached before the trainer, as ML.NET's docs advise for trainers that make several passes, and as MlToolkit does.
        IEstimator<ITransformer> chain = ml.Transforms.Concatenate("Features", features).AppendCacheCheckpoint(ml);
        return trainer switch
        {
            "LightGbm" => chain.Append(ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                NumberOfIterations = 100,
                LabelColumnName = "Label",
                FeatureColumnName = "Features",
                Seed = Seed,
            })),
            "SdcaLogisticRegression" => chain
                .Append(ml.Transforms.NormalizeMinMax("Features"))
                .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(SdcaOptions())),
            _ => throw new InvalidOperationException($"Unknown trainer {trainer}."),
        };
    }

    /// <summary>
    /// SDCA as MlToolkit configures it (one thread), for exactly <see cref="SdcaEpochs"/> passes on both sides: by default SDCA
    /// stops when its duality gap is small enough, after a number of passes that depends on the order it sees the rows in and,
    /// measured here, on how the chain around it is composed (ML.NET's <c>CrossValidate</c> took 2.0–2.6 s with the chain of
    /// <see cref="RawChain"/> and 1.4–1.7 s with the same trainer behind a pass-through estimator, to a different AUC).
    /// A fixed number of passes makes both sides do the same training work, so the ratio shows what is around it.
    /// </summary>
    public static SdcaLogisticRegressionBinaryTrainer.Options SdcaOptions() => new()
    {
        NumberOfThreads = 1,
        MaximumNumberOfIterations = SdcaEpochs,
        ConvergenceCheckFrequency = 0,
        LabelColumnName = "Label",
        FeatureColumnName = "Features",
    };

    /// <summary>The passes SDCA makes over the data in these benchmarks.</summary>
    public const int SdcaEpochs = 10;

    /// <summary>MlToolkit's trainer of the same name.</summary>
    public static ITrainer OurTrainer(string trainer) => trainer switch
    {
        "LightGbm" => Trainers.Binary.LightGbm(),
        "SdcaLogisticRegression" => Trainers.Binary.SdcaLogisticRegression(SdcaOptions()),
        _ => throw new InvalidOperationException($"Unknown trainer {trainer}."),
    };
}

/// <summary>The columns of <see cref="TrainingBenchmarks"/>: the difference from the baseline in ms, besides the ratio.</summary>
public sealed class TrainingConfig : ManualConfig
{
    public TrainingConfig()
    {
        AddColumn(new BaselineDeltaColumn("ms", 1e6));
    }
}
