using System.Data.Common;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.Data.Sqlite;
using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Database;
using Npgsql;

namespace MlToolkit.Benchmarks;

/// <summary>
/// Reading a query result into columns: a hand-written ADO.NET loop (the baseline: <c>ExecuteReader</c>, typed getters, a
/// <c>List</c> per column, no checks) against <see cref="DatabaseDataSource"/> (the same typed reads plus NULL, range and,
/// for SQLite, per-value type checks). SQLite always, on a file the benchmark generates; PostgreSQL when
/// <c>MLTOOLKIT_BENCH_POSTGRES</c> holds a connection string (the table is made with <c>generate_series</c>). Seven columns:
/// an integer id, three doubles (about 5% NULL in one), a 20-value category, a boolean and a two-value text label.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(DatabaseConfig))]
public class DatabaseBenchmarks
{
    public const string PostgresVariable = "MLTOOLKIT_BENCH_POSTGRES";
    private const string Query = "SELECT id, x, y, z, segment, active, label FROM bench_rows ORDER BY id";

    private string _sqlite = string.Empty;
    private NpgsqlDataSource? _postgres;

    /// <summary>Rows: 1,000,000 (20,000 with <c>--quick</c>).</summary>
    [ParamsSource(nameof(RowCounts))]
    public int Rows { get; set; } = 1_000_000;

    public static IEnumerable<int> RowCounts => BenchmarkMode.Quick ? [20_000] : [1_000_000];

    [ParamsSource(nameof(Databases))]
    public string Database { get; set; } = "SQLite";

    public static IEnumerable<string> Databases => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } ? ["SQLite", "PostgreSQL"] : ["SQLite"];

    [GlobalSetup]
    public void Setup()
    {
        if (Database == "PostgreSQL")
        {
            _postgres = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable(PostgresVariable)!);
            using NpgsqlCommand command = _postgres.CreateCommand($"""
                DROP TABLE IF EXISTS bench_rows;
                CREATE TABLE bench_rows AS
                SELECT g AS id, (g % 997) / 7.0 AS x, CASE WHEN g % 20 = 0 THEN NULL ELSE sin(g) END AS y, cos(g) * 100 AS z,
                       'segment_' || (g % 20) AS segment, g % 3 = 0 AS active, CASE WHEN g % 4 = 0 THEN 'yes' ELSE 'no' END AS label
                FROM generate_series(1, {Rows}) AS g;
                """);
            command.ExecuteNonQuery();
        }
        else
        {
            _sqlite = SqliteFile(Rows);
        }

        long raw = RawAdoNet(), ours = MlToolkitSource().GetAwaiter().GetResult();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// Data: {Database}, {Rows:N0} rows × 7 columns. Checksums: raw {raw}, MlToolkit {ours}."));
        if (raw != ours)
        {
            throw new InvalidOperationException($"The two readers read different values: checksum {raw} (raw) vs {ours} (MlToolkit).");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _postgres?.Dispose();

    /// <summary>A hand-written reader loop into typed lists.</summary>
    /// <returns>A checksum of what was read.</returns>
    [Benchmark(Baseline = true)]
    public long RawAdoNet()
    {
        using DbConnection connection = Open();
        using DbCommand command = connection.CreateCommand();
        command.CommandText = Query;
        using DbDataReader reader = command.ExecuteReader();
        bool sqlite = connection is SqliteConnection;
        var id = new List<float>();
        var x = new List<float>();
        var y = new List<float>();
        var z = new List<float>();
        var segment = new List<string?>();
        var active = new List<bool>();
        var label = new List<string?>();
        while (reader.Read())
        {
            id.Add(sqlite ? reader.GetInt64(0) : reader.GetInt32(0));
            x.Add((float)(sqlite ? reader.GetDouble(1) : (double)reader.GetDecimal(1)));
            y.Add(reader.IsDBNull(2) ? float.NaN : (float)reader.GetDouble(2));
            z.Add((float)reader.GetDouble(3));
            segment.Add(reader.GetString(4));
            active.Add(sqlite ? reader.GetInt64(5) != 0 : reader.GetBoolean(5));
            label.Add(reader.GetString(6));
        }

        return Checksum(id.Count, id.Sum(v => (double)v) + x.Sum(v => (double)v) + z.Sum(v => (double)v), y.Count(float.IsNaN), active.Count(a => a), segment.Sum(s => s!.Length) + label.Sum(s => s!.Length));
    }

    /// <summary>The toolkit's database source, as a pipeline runs it.</summary>
    /// <returns>The same checksum.</returns>
    [Benchmark]
    public async Task<long> MlToolkitSource()
    {
        var options = new DatabaseSourceOptions { Query = Query };
        if (Database == "SQLite")
        {
            options.ColumnTypes["active"] = ColumnKind.Boolean; // SQLite stores booleans as integers
        }

        DatabaseDataSource source = _postgres is not null ? DatabaseDataSource.FromDataSource(_postgres, options) : DatabaseDataSource.FromSqlite(_sqlite, options);
        ExtractedData data = await source.ExtractAsync(ExtractionContext.Standalone()).ConfigureAwait(false);
        var table = (DataTable)data.Data;
        float[] Numbers(string name) => ((NumberColumn)table.FindColumn(name)!).Values;
        string?[] Texts(string name) => ((TextColumn)table.FindColumn(name)!).Values;
        return Checksum(table.RowCount, Numbers("id").Sum(v => (double)v) + Numbers("x").Sum(v => (double)v) + Numbers("z").Sum(v => (double)v), Numbers("y").Count(float.IsNaN), ((BooleanColumn)table.FindColumn("active")!).Values.Count(a => a), Texts("segment").Sum(s => s!.Length) + Texts("label").Sum(s => s!.Length));
    }

    private DbConnection Open()
    {
        if (_postgres is not null)
        {
            return _postgres.OpenConnection();
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _sqlite, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        return connection;
    }

    private static long Checksum(int rows, double sum, int nulls, int trues, long chars)
        => HashCode.Combine(rows, Math.Round(sum, 1), nulls, trues, chars);

    /// <summary>The SQLite file for <paramref name="rows"/> rows, generated once in the benchmark data folder.</summary>
    public static string SqliteFile(int rows)
    {
        string path = Path.Combine(Path.GetDirectoryName(CsvDataGenerator.PathFor(rows))!, $"bench-rows-{rows}.db");
        if (File.Exists(path))
        {
            return path;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = path + ".tmp";
        File.Delete(temp);
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temp, Pooling = false }.ToString()))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = $"""
                CREATE TABLE bench_rows(id INTEGER PRIMARY KEY, x REAL, y REAL, z REAL, segment TEXT, active BOOLEAN, label TEXT);
                WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {rows})
                INSERT INTO bench_rows SELECT n, (n % 997) / 7.0, CASE WHEN n % 20 = 0 THEN NULL ELSE sin(n) END, cos(n) * 100,
                  'segment_' || (n % 20), n % 3 = 0, CASE WHEN n % 4 = 0 THEN 'yes' ELSE 'no' END FROM g;
                """;
            command.ExecuteNonQuery();
        }

        File.Move(temp, path, overwrite: true);
        return path;
    }
}

/// <summary>Rows/s besides the ratio; ten iterations after one warmup.</summary>
public sealed class DatabaseConfig : ManualConfig
{
    public DatabaseConfig()
    {
        AddColumn(new RowsPerSecondColumn());
        if (!BenchmarkMode.Quick)
        {
            AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(10).WithId("Database"));
        }
    }
}

/// <summary>Rows/s: the case's row count divided by the mean time of one operation in seconds.</summary>
public sealed class RowsPerSecondColumn : RowsColumnBase
{
    public override string Id => "MlToolkit.RowsPerSecond";

    public override string ColumnName => "Rows/s";

    public override string Legend => "Rows read per second: Rows / Mean in seconds";

    public override int PriorityInCategory => 0;

    protected override double? Compute(BenchmarkReport report, BenchmarkCase benchmarkCase, int rows)
        => report.ResultStatistics is { Mean: > 0 } stats ? rows / (stats.Mean / 1e9) : null;
}
