using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Microsoft.ML;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;

namespace MlToolkit.Benchmarks;

/// <summary>
/// Serving a LightGBM binary model (trained once per process through MlToolkit on the synthetic data, published to a
/// <see cref="ModelRegistry"/> in a temporary folder and promoted to <c>production</c>: see <see cref="PredictionFixture"/>).
/// Three groups, each with its own baseline:
/// <list type="bullet">
/// <item><c>SingleRow</c>: one row at a time over 1,000 distinct inputs: ML.NET's <c>PredictionEngine</c> created once from the
/// loaded model (baseline), the typed <see cref="PredictionService{TInput, TOutput}"/> (input checks on, as always), the untyped
/// <see cref="PredictionService"/> with dictionaries.</item>
/// <item><c>Batch</c>: 10,000 rows in one call: ML.NET's <c>Transform(LoadFromEnumerable)</c> + <c>CreateEnumerable</c> into a
/// list (baseline), the typed and the untyped <c>PredictBatch</c>, and the raw <c>Transform</c> fed from the untyped
/// service's dictionaries (what the untyped service replaces).</item>
/// <item><c>Threads</c>: single-row throughput of the typed service with 1 caller (baseline) and 2 concurrent callers
/// (<c>Parallel.For</c> over 2 partitions), and of raw engines, one per caller, for what the machine allows.</item>
/// </list>
/// Every method is measured per prediction (<c>[OperationsPerInvoke]</c>), so <c>Mean</c> is the time per row, <c>Op/s</c> the
/// rows per second, and a ratio over 1 is the slowdown against the group's baseline. The services are created with
/// <c>ReloadInterval = 0</c> (no alias polling during the measurement).
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[Config(typeof(PredictionConfig))]
public class PredictionBenchmarks
{
    public const int SingleRows = 1_000;
    public const int BatchRows = 10_000;
    public const int ThreadedPredictions = 20_000;

    private static readonly Lazy<PredictionFixture> Shared = new(PredictionFixture.Create, LazyThreadSafetyMode.ExecutionAndPublication);
    private PredictionFixture _f = null!;

    /// <summary>
    /// Trains and publishes the model, starts the services and checks that every way of predicting agrees, once per process
    /// (<c>--quick</c> runs every case in one process; the default job starts one process per case).
    /// </summary>
    [GlobalSetup]
    public void Setup() => _f = Shared.Value;

    // ---- Single row ----

    [Benchmark(Baseline = true, OperationsPerInvoke = SingleRows)]
    [BenchmarkCategory("SingleRow")]
    public float RawEngine()
    {
        float sum = 0;
        FeatureRow[] inputs = _f.Inputs;
        PredictionEngine<FeatureRow, BinaryOutput> engine = _f.Engine;
        for (int i = 0; i < inputs.Length; i++)
        {
            sum += engine.Predict(inputs[i]).Probability;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = SingleRows)]
    [BenchmarkCategory("SingleRow")]
    public float TypedPredict()
    {
        float sum = 0;
        FeatureRow[] inputs = _f.Inputs;
        PredictionService<FeatureRow, BinaryOutput> typed = _f.Typed;
        for (int i = 0; i < inputs.Length; i++)
        {
            sum += typed.Predict(inputs[i]).Output.Probability;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = SingleRows)]
    [BenchmarkCategory("SingleRow")]
    public float UntypedPredict()
    {
        float sum = 0;
        IReadOnlyDictionary<string, object?>[] inputs = _f.UntypedInputs;
        PredictionService untyped = _f.Untyped;
        for (int i = 0; i < inputs.Length; i++)
        {
            sum += untyped.Predict(inputs[i]).Probability ?? float.NaN;
        }

        return sum;
    }

    // ---- Batch ----

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("Batch")]
    public int RawTransform() => PredictionFixture.RawBatch(_f.Loaded, _f.Batch).Count;

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("Batch")]
    public int TypedPredictBatch() => _f.Typed.PredictBatch(_f.Batch).Outputs.Count;

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("Batch")]
    public int UntypedPredictBatch() => _f.Untyped.PredictBatch(_f.UntypedBatch).Count;

    /// <summary>
    /// What a hand-written service with dictionary inputs would do, for comparison with <see cref="UntypedPredictBatch"/>: copy
    /// each dictionary's 28 floats into a <see cref="FeatureRow"/> (no checks: a missing, mistyped or extra field throws an
    /// <c>InvalidCastException</c> or is ignored), then the raw <c>Transform</c>.
    /// </summary>
    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("Batch")]
    public int RawTransformFromDictionaries()
    {
        IReadOnlyDictionary<string, object?>[] dictionaries = _f.UntypedBatch;
        IReadOnlyList<string> names = SyntheticBinaryData.FeatureNames;
        var rows = new FeatureRow[dictionaries.Length];
        Span<float> x = stackalloc float[SyntheticBinaryData.FeatureCount];
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < x.Length; j++)
            {
                x[j] = (float)dictionaries[i][names[j]]!;
            }

            rows[i] = new FeatureRow();
            rows[i].SetFeatures(x);
        }

        return PredictionFixture.RawBatch(_f.Loaded, rows).Count;
    }

    // ---- Threads ----

    [Benchmark(Baseline = true, OperationsPerInvoke = ThreadedPredictions)]
    [BenchmarkCategory("Threads")]
    public float Typed1Thread() => TypedPartition(0, ThreadedPredictions);

    [Benchmark(OperationsPerInvoke = ThreadedPredictions)]
    [BenchmarkCategory("Threads")]
    public float Typed2Threads()
    {
        float[] sums = new float[2];
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, p => sums[p] = TypedPartition(p, ThreadedPredictions / 2));
        return sums[0] + sums[1];
    }

    [Benchmark(OperationsPerInvoke = ThreadedPredictions)]
    [BenchmarkCategory("Threads")]
    public float Raw1Thread() => RawPartition(_f.Engine, 0, ThreadedPredictions);

    [Benchmark(OperationsPerInvoke = ThreadedPredictions)]
    [BenchmarkCategory("Threads")]
    public float Raw2Threads()
    {
        float[] sums = new float[2];
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, p => sums[p] = RawPartition(p == 0 ? _f.Engine : _f.SecondEngine, p, ThreadedPredictions / 2));
        return sums[0] + sums[1];
    }

    /// <summary><paramref name="count"/> typed predictions, partition <paramref name="partition"/> starting half-way through the inputs.</summary>
    private float TypedPartition(int partition, int count)
    {
        float sum = 0;
        FeatureRow[] inputs = _f.Inputs;
        PredictionService<FeatureRow, BinaryOutput> typed = _f.Typed;
        int offset = partition * (inputs.Length / 2);
        for (int i = 0; i < count; i++)
        {
            sum += typed.Predict(inputs[(i + offset) % inputs.Length]).Output.Probability;
        }

        return sum;
    }

    /// <summary>The same with a raw engine of the caller's own (engines cannot be shared between threads).</summary>
    private float RawPartition(PredictionEngine<FeatureRow, BinaryOutput> engine, int partition, int count)
    {
        float sum = 0;
        FeatureRow[] inputs = _f.Inputs;
        int offset = partition * (inputs.Length / 2);
        for (int i = 0; i < count; i++)
        {
            sum += engine.Predict(inputs[(i + offset) % inputs.Length]).Probability;
        }

        return sum;
    }
}

/// <summary>The columns of <see cref="PredictionBenchmarks"/>: predictions per second and the difference from the baseline in µs.</summary>
public sealed class PredictionConfig : ManualConfig
{
    public PredictionConfig()
    {
        AddColumn(StatisticColumn.OperationsPerSecond, new BaselineDeltaColumn("µs", 1e3, "N2"));
    }
}
