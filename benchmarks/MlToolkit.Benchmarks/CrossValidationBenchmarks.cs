using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Microsoft.ML;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Training.CrossValidation;

namespace MlToolkit.Benchmarks;

/// <summary>
/// Five-fold cross-validation of a binary classifier on 100,000 rows × 28 floats: ML.NET's own
/// <c>BinaryClassification.CrossValidate</c> (the baseline) against <c>TrainingPipeline.CrossValidateAsync</c> with the same
/// preparation and trainer (see <see cref="TrainingBenchmarks"/>), sequential and with two folds at a time. All return the
/// mean AUC over the folds, which <see cref="Setup"/> checks agree within fold noise (the folds themselves differ: ML.NET
/// deals rows by a hash of a random column, MlToolkit stratifies by the label).
/// </summary>
/// <remarks>
/// Like the training benchmark, the raw side's data is loaded and cached once in the setup, while every MlToolkit run reads
/// its source (a copy into its own table), checks data quality and deals the folds; both evaluate every fold with their
/// own evaluator (MlToolkit's also computes PR-AUC and the ROC curve).
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(CrossValidationConfig))]
public class CrossValidationBenchmarks
{
    public const int Folds = 5;

    private LabeledRow[] _rows = [];
    private IDataView _raw = null!;
    private string[] _features = [];

    /// <summary>All rows, dealt into 5 folds: 100,000 (2,500 with <c>--quick</c>).</summary>
    [ParamsSource(nameof(RowCounts))]
    public int Rows { get; set; } = 100_000;

    public static IEnumerable<int> RowCounts => BenchmarkMode.Quick ? [2_500] : [100_000];

    [Params("LightGbm", "SdcaLogisticRegression")]
    public string Trainer { get; set; } = "LightGbm";

    [GlobalSetup]
    public void Setup()
    {
        _rows = SyntheticBinaryData.Generate(Rows);
        _features = [.. SyntheticBinaryData.FeatureNames];
        var ml = new MLContext(TrainingBenchmarks.Seed);
        _raw = ml.Data.Cache(ml.Data.LoadFromEnumerable(_rows));

        double raw = OpenMpHygiene.OnThreadOfItsOwn(RawMlNet);
        double ours = MlToolkitCrossValidate().GetAwaiter().GetResult();
        double parallel = MlToolkitCrossValidateParallel().GetAwaiter().GetResult();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// Data: {_rows.Length:N0} rows, {Folds} folds, {SyntheticBinaryData.FeatureCount} float features. Mean AUC: raw {raw:F6}, MlToolkit {ours:F6}, MlToolkit parallel {parallel:F6}."));
        // Different folds, so not the same number: the fold-to-fold spread of AUC here is about 0.002 (100,000 rows) to 0.015 (2,500).
        double tolerance = Rows >= 50_000 ? 3e-3 : 2.5e-2;
        if (Math.Abs(raw - ours) > tolerance || ours != parallel)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The cross-validations disagree: mean AUC {raw:F6} (raw ML.NET), {ours:F6} (MlToolkit), {parallel:F6} (MlToolkit, parallel); the first two may differ by {tolerance}, the last two not at all."));
        }
    }

    /// <summary>ML.NET: <c>BinaryClassification.CrossValidate(cached data, chain, 5 folds, seed)</c>, then the mean AUC.</summary>
    /// <returns>The mean AUC.</returns>
    [Benchmark(Baseline = true)]
    public double RawMlNet()
    {
        var ml = new MLContext(TrainingBenchmarks.Seed);
        var folds = ml.BinaryClassification.CrossValidate(_raw, TrainingBenchmarks.RawChain(ml, Trainer, _features), Folds, "Label", seed: TrainingBenchmarks.Seed);
        return folds.Average(f => f.Metrics.AreaUnderRocCurve);
    }

    /// <summary>MlToolkit: build, then <c>CrossValidateAsync</c> (extract, data quality, stratified folds one after another).</summary>
    /// <returns>The mean AUC.</returns>
    [Benchmark]
    public Task<double> MlToolkitCrossValidate() => CrossValidateAsync(parallelism: 1);

    /// <summary>The same with two folds fitted at once (<c>MaxDegreeOfParallelism = 2</c>): the same folds and results.</summary>
    /// <returns>The mean AUC.</returns>
    [Benchmark]
    public Task<double> MlToolkitCrossValidateParallel() => CrossValidateAsync(parallelism: 2);

    private async Task<double> CrossValidateAsync(int parallelism)
    {
        CrossValidationResult result = await new PipelineBuilder(TrainingBenchmarks.Seed)
            .FromEnumerable(_rows)
            .Label("Label")
            .Prepare(p => p.Select(_features))
            .Train(TrainingBenchmarks.OurTrainer(Trainer))
            .CrossValidate(new CrossValidationOptions { Folds = Folds, MaxDegreeOfParallelism = parallelism })
            .Build()
            .CrossValidateAsync()
            .ConfigureAwait(false);
        return result[Metric.Auc].Mean;
    }
}

/// <summary>
/// Ten measured iterations after one warmup, in one process: an operation takes seconds, so BenchmarkDotNet's default of up
/// to 100 iterations would take over an hour. <c>--quick</c> keeps its own job.
/// </summary>
public sealed class CrossValidationConfig : ManualConfig
{
    public CrossValidationConfig()
    {
        AddColumn(new BaselineDeltaColumn("ms", 1e6));
        if (!BenchmarkMode.Quick)
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(10).WithId("CrossValidation"));
        }
    }
}
