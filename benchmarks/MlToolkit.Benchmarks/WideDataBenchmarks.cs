using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlToolkit.Data;
using MlToolkit.Internal;
using MlToolkit.Preparation;

namespace MlToolkit.Benchmarks;

/// <summary>
/// The default preparation on wide data (issue 13: it grew with the cube of the column count, 549 s for 400 columns): 10, 100,
/// 1,000 and 5,000 feature columns of 2,000 rows, in turn numeric with about 10% missing, numeric, boolean and text with five
/// categories. Hand-written ML.NET (the baseline) against MlToolkit's <c>AutoPreprocessor</c>; both fit on the same in-memory
/// table, transform it and read the whole feature vector once. <see cref="Setup"/> checks that both give the same vector.
/// </summary>
/// <remarks>
/// <para>The baseline is the chain a user who knows the columns writes with ML.NET's multi-column transforms:
/// <c>IndicateMissingValues</c> and <c>ConvertType</c> for the columns with gaps, <c>ReplaceMissingValues</c> (mean) for the
/// numbers, <c>ConvertType</c> for the booleans, <c>OneHotEncoding</c> for the text, <c>Concatenate</c>. MlToolkit's side is what
/// a pipeline without a <c>Prepare(...)</c> runs: <c>new AutoPreprocessor().CreateEstimator(context)</c> (which first reads the
/// training data once to plan: which numbers have gaps, how many categories each text has) followed by the pipeline's
/// feature assembly, so it does the planning pass the hand-written code needs no data for.</para>
/// <para>With <c>--quick</c>: 10 and 1,000 columns of 500 rows, so that no case comes near the in-process toolchain's
/// five-minute limit on a busy machine.</para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(WideDataConfig))]
public class WideDataBenchmarks
{
    public const int Seed = 42;

    private const string Label = "Label";

    private static readonly string[] Regions = ["north", "south", "east", "west", "centre"];

    private DataTable _table = null!;
    private InputOutputColumnPair[] _gaps = [];
    private InputOutputColumnPair[] _gapFlags = [];
    private InputOutputColumnPair[] _numbers = [];
    private InputOutputColumnPair[] _booleans = [];
    private InputOutputColumnPair[] _texts = [];
    private string[] _features = [];

    /// <summary>Feature columns: 10, 100, 1,000 and 5,000 (10 and 1,000 with <c>--quick</c>).</summary>
    [ParamsSource(nameof(ColumnCounts))]
    public int Columns { get; set; } = 1000;

    public static IEnumerable<int> ColumnCounts => BenchmarkMode.Quick ? [10, 1_000] : [10, 100, 1_000, 5_000];

    /// <summary>Rows: 2,000 (500 with <c>--quick</c>).</summary>
    public static int Rows => BenchmarkMode.Quick ? 500 : 2_000;

    [GlobalSetup]
    public void Setup()
    {
        _table = Generate(Columns, Rows);
        var gaps = new List<string>();
        var numbers = new List<string>();
        var booleans = new List<string>();
        var texts = new List<string>();
        foreach (DataTableColumn column in _table.Columns.Where(c => c.Name != Label))
        {
            switch (column)
            {
                case NumberColumn n:
                    numbers.Add(n.Name);
                    if (n.Values.Any(float.IsNaN))
                    {
                        gaps.Add(n.Name);
                    }

                    break;
                case BooleanColumn b:
                    booleans.Add(b.Name);
                    break;
                default:
                    texts.Add(column.Name);
                    break;
            }
        }

        _gaps = [.. gaps.Select(c => new InputOutputColumnPair(c + "_missing", c))];
        _gapFlags = [.. gaps.Select(c => new InputOutputColumnPair(c + "_missing", c + "_missing"))];
        _numbers = [.. numbers.Select(c => new InputOutputColumnPair(c, c))];
        _booleans = [.. booleans.Select(c => new InputOutputColumnPair(c, c))];
        _texts = [.. texts.Select(c => new InputOutputColumnPair(c, c))];

        // The feature vector's order: the columns in the table's order, then the indicators (as the pipeline assembles them).
        _features = [.. _table.Columns.Where(c => c.Name != Label).Select(c => c.Name), .. gaps.Select(c => c + "_missing")];

        (int slots, double sum) raw = RawMlNet();
        (int slots, double sum) ours = MlToolkitAutoPrepare();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// Data: {Rows:N0} rows, {Columns:N0} feature columns ({numbers.Count - gaps.Count} numeric, {gaps.Count} numeric with gaps, {booleans.Count} boolean, {texts.Count} text of {Regions.Length} categories). Features: raw {raw.slots:N0} slots, sum {raw.sum:R}; MlToolkit {ours.slots:N0} slots, sum {ours.sum:R}."));
        if (raw != ours)
        {
            throw new InvalidOperationException($"The two sides prepared different features: {raw.slots} slots summing to {raw.sum} (raw ML.NET) vs {ours.slots} summing to {ours.sum} (MlToolkit).");
        }
    }

    /// <summary>Hand-written ML.NET: one multi-column transform per kind, then <c>Concatenate</c>; fit, transform, one pass.</summary>
    /// <returns>The feature vector's size and the sum of its values.</returns>
    [Benchmark(Baseline = true)]
    public (int Slots, double Sum) RawMlNet()
    {
        var ml = new MLContext(Seed);
        IEstimator<ITransformer> chain = ml.Transforms.IndicateMissingValues(_gaps)
            .Append(ml.Transforms.Conversion.ConvertType(_gapFlags, DataKind.Single))
            .Append(ml.Transforms.ReplaceMissingValues(_numbers, MissingValueReplacingEstimator.ReplacementMode.Mean))
            .Append(ml.Transforms.Conversion.ConvertType(_booleans, DataKind.Single))
            .Append(ml.Transforms.Categorical.OneHotEncoding(_texts, OneHotEncodingEstimator.OutputKind.Indicator, 100))
            .Append(ml.Transforms.Concatenate("Features", _features));
        return Features(chain.Fit(_table).Transform(_table));
    }

    /// <summary>MlToolkit's default preparation as a pipeline composes it: the plan (one pass), the estimator, the feature assembly.</summary>
    /// <returns>The feature vector's size and the sum of its values.</returns>
    [Benchmark]
    public (int Slots, double Sum) MlToolkitAutoPrepare()
    {
        var ml = new MLContext(Seed);
        SchemaShape input = SchemaShapes.Create(_table.Schema);
        var context = new PreparationContext(ml, input, _table, Label, MlTask.BinaryClassification, [Label]);
        IEstimator<ITransformer> preparation = new AutoPreprocessor().CreateEstimator(context);
        IEstimator<ITransformer> chain = preparation.Append(FeatureAssembler.Create(ml, preparation.GetOutputSchema(input), [Label]));
        return Features(chain.Fit(_table).Transform(_table));
    }

    /// <summary>One cursor over the feature vector: its size and the sum of every value.</summary>
    private static (int Slots, double Sum) Features(IDataView prepared)
    {
        DataViewSchema.Column features = prepared.Schema["Features"];
        double sum = 0;
        using DataViewRowCursor cursor = prepared.GetRowCursor([features]);
        ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(features);
        VBuffer<float> vector = default;
        while (cursor.MoveNext())
        {
            getter(ref vector);
            foreach (float value in vector.GetValues())
            {
                sum += value;
            }
        }

        return (((VectorDataViewType)features.Type).Size, sum);
    }

    /// <summary>The table: seeded, the same for the same column and row counts.</summary>
    public static DataTable Generate(int columns, int rows)
    {
        var random = new Random(Seed);
        var list = new List<DataTableColumn>(columns + 1);
        for (int c = 0; c < columns; c++)
        {
            string name = "c" + c.ToString("D4", CultureInfo.InvariantCulture);
            list.Add((c % 4) switch
            {
                0 => new NumberColumn(name, [.. Enumerable.Range(0, rows).Select(_ => random.NextDouble() < 0.1 ? float.NaN : (float)random.NextDouble())]),
                1 => new NumberColumn(name, [.. Enumerable.Range(0, rows).Select(_ => (float)(random.NextDouble() * 100))]),
                2 => new BooleanColumn(name, [.. Enumerable.Range(0, rows).Select(_ => random.NextDouble() < 0.5)]),
                _ => new TextColumn(name, [.. Enumerable.Range(0, rows).Select(_ => random.NextDouble() < 0.05 ? null : Regions[random.Next(Regions.Length)])]),
            });
        }

        list.Add(new BooleanColumn(Label, [.. Enumerable.Range(0, rows).Select(_ => random.NextDouble() < 0.5)]));
        return new DataTable(list);
    }
}

/// <summary>
/// The difference from the baseline in ms, and one warmup and ten measured iterations in one process: at 5,000 columns an
/// operation takes seconds, so BenchmarkDotNet's default of up to 100 iterations would take an hour. <c>--quick</c> keeps its
/// own job.
/// </summary>
public sealed class WideDataConfig : ManualConfig
{
    public WideDataConfig()
    {
        AddColumn(new BaselineDeltaColumn("ms", 1e6));
        if (!BenchmarkMode.Quick)
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(10).WithId("WideData"));
        }
    }
}
