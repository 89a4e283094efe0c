using System.Globalization;
using System.Runtime;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CsvHelper;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;
using nietras.SeparatedValues;

namespace MlToolkit.Benchmarks;

/// <summary>
/// CSV ingestion into a typed <see cref="IDataView"/>, followed by the same full cursor pass over every column
/// (<see cref="CursorPass"/>). Raw CsvHelper is the baseline, so the table's Ratio and Alloc Ratio columns read
/// "times the cost of hand-written CsvHelper code". The hand-written readers (CsvHelper, Sep) fill typed arrays and
/// wrap them, without a copy, in MlToolkit's <see cref="DataTable"/>, so every method hands the cursor pass the same kind of view
/// (ML.NET's TextLoader is lazy: its parsing happens during the pass).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CsvIngestionConfig))]
public class CsvIngestionBenchmarks
{
    private string _path = string.Empty;
    private MLContext _mlContext = null!;
    private TextLoader.Column[] _mlNetColumns = [];

    /// <summary>Rows in the generated file: 100,000 and 1,000,000 (20,000 with <c>--quick</c>; see <see cref="BenchmarkSettings"/>).</summary>
    [ParamsSource(nameof(RowCounts))]
    public int Rows { get; set; } = 100_000;

    public static IEnumerable<int> RowCounts => BenchmarkSettings.RowCounts;

    [GlobalSetup]
    public void Setup()
    {
        _path = CsvDataGenerator.EnsureFile(Rows);
        long bytes = new FileInfo(_path).Length;
        Console.WriteLine(
            $"// Data: {_path} ({bytes:N0} bytes, {Rows:N0} rows, {CsvDataGenerator.Columns.Count} columns, {(double)bytes / Rows:F1} bytes/row). " +
            "MB/s = bytes / 1e6 / Mean in seconds. " +
            $"GC: {(GCSettings.IsServerGC ? "server" : "workstation")}, {GCSettings.LatencyMode}.");
        _mlContext = new MLContext(seed: 0);
        _mlNetColumns = CsvDataGenerator.Columns
            .Select((c, i) => new TextLoader.Column(c.Name, ToDataKind(c.Kind), i))
            .ToArray();
    }

    /// <summary>CsvHelper 34's UTF-8 reader with its defaults and a comma separator, fields parsed into typed arrays.</summary>
    [Benchmark(Baseline = true)]
    public Checksum RawCsvHelper()
    {
        IReadOnlyList<CsvColumn> columns = CsvDataGenerator.Columns;
        var sink = new ColumnSink(columns);
        using CsvReader r = CsvReader.FromFile(_path, new CsvReaderOptions { Separator = ',' });
        while (r.Read())
        {
            for (int i = 0; i < sink.Kinds.Length; i++)
            {
                switch (sink.Kinds[i])
                {
                    case ColumnKind.Number:
                        sink.Numbers[i]!.Add(r.TryParse(i, out float f) ? f : float.NaN);
                        break;
                    case ColumnKind.Boolean:
                        if (!r.TryParse(i, out bool b))
                        {
                            throw new InvalidDataException($"Record {r.RowNumber}: column {columns[i].Name} is not a boolean.");
                        }

                        sink.Booleans[i]!.Add(b);
                        break;
                    default:
                        sink.Texts[i]!.Add(r.GetString(i));
                        break;
                }
            }
        }

        return CursorPass.Run(sink.ToDataTable());
    }

    /// <summary>MlToolkit's <see cref="CsvDataSource"/> with every column type given (no inference), as a pipeline runs it.</summary>
    [Benchmark]
    public async Task<Checksum> MlToolkitCsv()
    {
        CsvDataSource src = CsvDataSource.FromFile(_path, new CsvSourceOptions
        {
            ColumnTypes =
            {
                ["f_temp"] = ColumnKind.Number,
                ["f_pressure"] = ColumnKind.Number,
                ["i_age"] = ColumnKind.Number,
                ["i_visits"] = ColumnKind.Number,
                ["active"] = ColumnKind.Boolean,
                ["segment"] = ColumnKind.Text,
                ["note"] = ColumnKind.Text,
                ["f_amount"] = ColumnKind.Number,
                ["i_items"] = ColumnKind.Number,
                ["f_ratio"] = ColumnKind.Number,
                ["f_score"] = ColumnKind.Number,
                ["f_weight"] = ColumnKind.Number,
            },
        });
        ExtractedData data = await src.ExtractAsync(ExtractionContext.Standalone(), default).ConfigureAwait(false);
        return CursorPass.Run(data.Data);
    }

    /// <summary>ML.NET's own TextLoader (lazy: it parses while the cursor moves).</summary>
    [Benchmark]
    public Checksum MlNetTextLoader()
    {
        // CreateTextLoader has no (columns, options) overload: the columns go in the options.
        TextLoader loader = _mlContext.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = _mlNetColumns,
            HasHeader = true,
            Separators = [','],
            AllowQuoting = true,
            MissingRealsAsNaNs = true,
        });
        IDataView view = loader.Load(_path);
        return CursorPass.Run(view);
    }

    /// <summary>nietras Sep with unescaping (quotes removed from the note column), fields parsed into typed arrays.</summary>
    [Benchmark]
    public Checksum Sep()
    {
        IReadOnlyList<CsvColumn> columns = CsvDataGenerator.Columns;
        var sink = new ColumnSink(columns);
        using SepReader reader = nietras.SeparatedValues.Sep.Reader(o => o with { Unescape = true }).FromFile(_path);
        foreach (SepReader.Row row in reader)
        {
            for (int i = 0; i < sink.Kinds.Length; i++)
            {
                SepReader.Col col = row[i];
                switch (sink.Kinds[i])
                {
                    case ColumnKind.Number:
                        sink.Numbers[i]!.Add(col.TryParse<float>() ?? float.NaN);
                        break;
                    case ColumnKind.Boolean:
                        if (!bool.TryParse(col.Span, out bool b))
                        {
                            throw new InvalidDataException($"Row {row.RowIndex}: column {columns[i].Name} is not a boolean.");
                        }

                        sink.Booleans[i]!.Add(b);
                        break;
                    default:
                        sink.Texts[i]!.Add(col.ToString());
                        break;
                }
            }
        }

        return CursorPass.Run(sink.ToDataTable());
    }

    private static DataKind ToDataKind(ColumnKind kind) => kind switch
    {
        ColumnKind.Number => DataKind.Single,
        ColumnKind.Boolean => DataKind.Boolean,
        ColumnKind.Text => DataKind.String,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The typed, growable column arrays the hand-written readers fill.</summary>
    private sealed class ColumnSink
    {
        private readonly IReadOnlyList<CsvColumn> _columns;

        public ColumnSink(IReadOnlyList<CsvColumn> columns)
        {
            _columns = columns;
            Kinds = columns.Select(c => c.Kind).ToArray();
            Numbers = new GrowableArray<float>?[Kinds.Length];
            Booleans = new GrowableArray<bool>?[Kinds.Length];
            Texts = new GrowableArray<string>?[Kinds.Length];
            for (int i = 0; i < Kinds.Length; i++)
            {
                switch (Kinds[i])
                {
                    case ColumnKind.Number: Numbers[i] = new(); break;
                    case ColumnKind.Boolean: Booleans[i] = new(); break;
                    default: Texts[i] = new(); break;
                }
            }
        }

        public ColumnKind[] Kinds { get; }

        public GrowableArray<float>?[] Numbers { get; }

        public GrowableArray<bool>?[] Booleans { get; }

        public GrowableArray<string>?[] Texts { get; }

        public DataTable ToDataTable()
            => new(_columns.Select((c, i) => c.Kind switch
            {
                ColumnKind.Number => (DataTableColumn)new NumberColumn(c.Name, Numbers[i]!.ToArray()),
                ColumnKind.Boolean => new BooleanColumn(c.Name, Booleans[i]!.ToArray()),
                _ => new TextColumn(c.Name, Texts[i]!.ToArray()),
            }));
    }
}

/// <summary>The columns every run of <see cref="CsvIngestionBenchmarks"/> shows, besides BenchmarkDotNet's.</summary>
public sealed class CsvIngestionConfig : ManualConfig
{
    public CsvIngestionConfig()
    {
        AddColumn(new ThroughputColumn(), new BytesPerRowColumn());
    }
}

/// <summary>Where the row counts of a run come from: <c>MLTOOLKIT_BENCH_ROWS</c> (set by <c>--quick</c> and <c>--rows</c>), or 100,000 and 1,000,000.</summary>
public static class BenchmarkSettings
{
    public const string RowsVariable = "MLTOOLKIT_BENCH_ROWS";

    public static IReadOnlyList<int> DefaultRowCounts { get; } = [100_000, 1_000_000];

    public static IReadOnlyList<int> RowCounts
        => Environment.GetEnvironmentVariable(RowsVariable) is { Length: > 0 } text
            ? ParseRowCounts(text)
            : DefaultRowCounts;

    public static int[] ParseRowCounts(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int[] rows = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => int.Parse(t.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture))
            .ToArray();
        if (rows.Length == 0 || rows.Any(r => r <= 0))
        {
            throw new ArgumentException($"'{text}' is not a list of positive row counts, such as 100000,1000000.", nameof(text));
        }

        return rows;
    }
}
