using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Database;
using MlToolkit.Pipeline;
using MlToolkit.Tests.TestServers;
using MlToolkit.Training;
using Npgsql;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Extraction.Database;

/// <summary>The database source against a real PostgreSQL server (see <see cref="PostgresServer"/>).</summary>
[Collection(PostgresCollection.Name)]
public class PostgresSourceTests(PostgresServer server)
{
    /// <summary>A table name of this test's own, so that tests never see each other's rows.</summary>
    private static string Table() => "t_" + Guid.NewGuid().ToString("N")[..12];

    private async Task<DataTable> ReadAsync(string query, Action<DatabaseSourceOptions>? configure = null)
    {
        var options = new DatabaseSourceOptions { Query = query };
        configure?.Invoke(options);
        await using NpgsqlDataSource dataSource = server.CreateDataSource();
        ExtractedData data = await DatabaseDataSource.FromDataSource(dataSource, options).ExtractAsync(ExtractionContext.Standalone(), Ct);
        return Assert.IsType<DataTable>(data.Data);
    }

    private static float[] Numbers(DataTable table, string column) => ((NumberColumn)table.FindColumn(column)!).Values;

    private static IEnumerable<string?> Texts(DataTable table, string column) => ((TextColumn)table.FindColumn(column)!).Values;

    [Fact]
    public async Task Extract_SqlTypes_MapToNumberBooleanAndText()
    {
        string t = Table();
        await server.ExecuteAsync($"""
            CREATE TABLE {t}(id int, s smallint, i integer, b bigint, r real, d double precision, n numeric(12,3), flag boolean,
                             name text, code varchar(8), at timestamp, day date, uid uuid, span interval);
            INSERT INTO {t} VALUES
              (1, -2, 70000, 9000000000, 1.5, 2.25, 1234.567, true, 'ann', 'A1', '2024-03-04 05:06:07', '2024-03-04', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '1 day 02:00:00'),
              (2, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL, NULL, NULL, NULL);
            """);

        DataTable table = await ReadAsync($"SELECT * FROM {t} ORDER BY id");

        Assert.Equal(
            [ColumnKind.Number, ColumnKind.Number, ColumnKind.Number, ColumnKind.Number, ColumnKind.Number, ColumnKind.Number, ColumnKind.Number, ColumnKind.Boolean, ColumnKind.Text, ColumnKind.Text, ColumnKind.Text, ColumnKind.Text, ColumnKind.Text, ColumnKind.Text],
            table.Columns.Select(c => c.Kind));
        Assert.Equal(-2f, Numbers(table, "s")[0]);
        Assert.Equal(70000f, Numbers(table, "i")[0]);
        Assert.Equal(9e9f, Numbers(table, "b")[0]);
        Assert.Equal(1.5f, Numbers(table, "r")[0]);
        Assert.Equal(2.25f, Numbers(table, "d")[0]);
        Assert.Equal(1234.567f, Numbers(table, "n")[0]);
        Assert.Equal([true, false], ((BooleanColumn)table.FindColumn("flag")!).Values);
        Assert.Equal(["ann", null], Texts(table, "name"));
        Assert.Equal("2024-03-04T05:06:07.0000000", Texts(table, "at").First());
        Assert.Equal("2024-03-04", Texts(table, "day").First());
        Assert.Equal("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", Texts(table, "uid").First());
        Assert.Equal("1.02:00:00", Texts(table, "span").First());
        Assert.All(new[] { "s", "i", "b", "r", "d", "n" }, c => Assert.True(float.IsNaN(Numbers(table, c)[1]), c));
        Assert.All(new[] { "name", "code", "at", "day", "uid", "span" }, c => Assert.Null(Texts(table, c).Last()));
    }

    [Fact]
    public async Task Extract_NullBoolean_FailsSayingHowToMapItAndNumberMappingReadsNaN()
    {
        string t = Table();
        await server.ExecuteAsync($"CREATE TABLE {t}(id int, flag boolean); INSERT INTO {t} VALUES (1, true), (2, NULL), (3, false);");

        var ex = await Assert.ThrowsAsync<DataSourceException>(() => ReadAsync($"SELECT flag FROM {t} ORDER BY id"));
        DataTable asNumber = await ReadAsync($"SELECT flag FROM {t} ORDER BY id", o => o.ColumnTypes["flag"] = ColumnKind.Number);

        Assert.Equal(2, ex.Line);
        Assert.Equal("flag", ex.Column);
        Assert.Contains("ColumnTypes[\"flag\"] = ColumnKind.Number", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1f, Numbers(asNumber, "flag")[0]);
        Assert.True(float.IsNaN(Numbers(asNumber, "flag")[1]));
        Assert.Equal(0f, Numbers(asNumber, "flag")[2]);
    }

    [Fact]
    public async Task Extract_NaNAndInfinity_NaNIsMissingAndInfinityFollowsThePolicy()
    {
        string t = Table();
        await server.ExecuteAsync($"CREATE TABLE {t}(id int, x double precision); INSERT INTO {t} VALUES (1, 'NaN'), (2, 'Infinity'), (3, 4);");

        var ex = await Assert.ThrowsAsync<DataSourceException>(() => ReadAsync($"SELECT x FROM {t} ORDER BY id"));
        DataTable lenient = await ReadAsync($"SELECT x FROM {t} ORDER BY id", o => o.Infinity = InfinityHandling.Missing);

        Assert.Equal(2, ex.Line);
        Assert.Contains("is +Infinity", ex.Message, StringComparison.Ordinal);
        Assert.True(float.IsNaN(Numbers(lenient, "x")[0]));
        Assert.True(float.IsNaN(Numbers(lenient, "x")[1]));
        Assert.Equal(4f, Numbers(lenient, "x")[2]);
    }

    [Fact]
    public async Task Extract_UnreadableTypes_FailBeforeAnyRowNamingEachColumnAndType()
    {
        string t = Table();
        await server.ExecuteAsync($"CREATE TABLE {t}(id int, photo bytea, doc jsonb, tags text[]); INSERT INTO {t} VALUES (1, '\\x00ff', '{{}}', ARRAY['a']);");

        var ex = await Assert.ThrowsAsync<DataSchemaException>(() => ReadAsync($"SELECT * FROM {t}"));

        Assert.Contains("Column 'photo' has the SQL type bytea", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Column 'tags' has the SQL type text[]", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'doc'", ex.Message, StringComparison.Ordinal); // Npgsql reads JSON as text, and so does the source
    }

    [Fact]
    public async Task Extract_Parameters_AreValuesNeverSql()
    {
        string t = Table();
        await server.ExecuteAsync($"CREATE TABLE {t}(id int, name text, since date); INSERT INTO {t} VALUES (1, 'ann', '2020-01-01'), (2, 'bob', '2024-06-01');");

        DataTable hostile = await ReadAsync($"SELECT id FROM {t} WHERE name = @name ORDER BY id", o => o.Parameters["name"] = $"x'; DROP TABLE {t}; --");
        DataTable recent = await ReadAsync($"SELECT id FROM {t} WHERE since >= @since ORDER BY id", o => o.Parameters["since"] = new DateOnly(2023, 1, 1));
        DataTable all = await ReadAsync($"SELECT id FROM {t} ORDER BY id");

        Assert.Equal(0, hostile.RowCount);
        Assert.Equal([2f], Numbers(recent, "id"));
        Assert.Equal(2, all.RowCount); // the table is still there
    }

    [Fact]
    public async Task Extract_Cancelled_StopsTheQueryOnTheServerPromptly()
    {
        server.Require();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var options = new DatabaseSourceOptions { Query = "SELECT pg_sleep(30) AS slept" };
        await using NpgsqlDataSource dataSource = server.CreateDataSource();
        Task<ExtractedData> read = DatabaseDataSource.FromDataSource(dataSource, options).ExtractAsync(ExtractionContext.Standalone(), cts.Token);
        await Task.Delay(300, Ct);
        var clock = Stopwatch.StartNew();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);

        // Npgsql sends a cancel request; the 30 s sleep ends at once (measured here: about 300 ms). The bound only tells a
        // server-side cancellation from waiting for the query.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"cancellation took {clock.Elapsed.TotalMilliseconds:F0} ms");
        TestContext.Current.TestOutputHelper?.WriteLine($"PostgreSQL cancellation took {clock.Elapsed.TotalMilliseconds:F0} ms.");
    }

    [Fact]
    public async Task Extract_LongerThanTheCommandTimeout_FailsSayingSo()
    {
        server.Require();

        var ex = await Assert.ThrowsAsync<DataSourceException>(() => ReadAsync("SELECT pg_sleep(10) AS slept", o => o.CommandTimeout = TimeSpan.FromSeconds(1)));

        Assert.Contains("ran longer than its CommandTimeout of 1 s", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_ConnectionFails_ExceptionNamesHostButNeverThePassword()
    {
        const string password = "S3cret-Pa55word";
        int closed = ExternalProcess.FreePort();
        var source = DatabaseDataSource.FromFactory(NpgsqlFactory.Instance, $"Host=127.0.0.1;Port={closed};Username=ml;Password={password};Database=sales;Timeout=3", new DatabaseSourceOptions { Query = "SELECT 1" });

        var ex = await Assert.ThrowsAsync<DataSourceException>(() => source.ExtractAsync(ExtractionContext.Standalone(), Ct));

        Assert.StartsWith($"Npgsql 127.0.0.1:{closed}/sales (SELECT 1)", source.Name, StringComparison.Ordinal);
        Assert.DoesNotContain(password, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(password, source.Name, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{closed}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_ManyRows_ReadsEveryValue()
    {
        DataTable table = await ReadAsync("SELECT g AS id, g * 0.5 AS half, (g % 7)::text AS bucket, g % 2 = 0 AS even FROM generate_series(1, 200000) AS g ORDER BY g");

        Assert.Equal(200_000, table.RowCount);
        Assert.Equal(200_000.0 * 200_001 / 2, Numbers(table, "id").Sum(v => (double)v));
        Assert.Equal(100_000, ((BooleanColumn)table.FindColumn("even")!).Values.Count(v => v));
        Assert.Equal(7, Texts(table, "bucket").Distinct().Count());
    }

    [Fact]
    public async Task RunAsync_FromPostgres_TrainsOnTheQueryResult()
    {
        string t = Table();
        var random = new Random(11);
        var rows = Enumerable.Range(1, 1200).Select(i =>
        {
            double tenure = random.Next(1, 72), charge = 20 + (random.NextDouble() * 80);
            bool churned = random.NextDouble() < 1 / (1 + Math.Exp(-(1.5 - (tenure * 0.06) + ((charge - 60) * 0.03))));
            return FormattableString.Invariant($"({i}, {tenure}, {charge:F2}, '{(churned ? "yes" : "no")}')");
        });
        await server.ExecuteAsync($"CREATE TABLE {t}(id int, tenure int, charge numeric(6,2), churned text); INSERT INTO {t} VALUES {string.Join(",", rows)};");
        await using NpgsqlDataSource dataSource = server.CreateDataSource();
        var logs = new CollectingLoggerProvider();

        PipelineResult result = await new PipelineBuilder(4)
            .FromDatabase(dataSource, $"SELECT tenure, charge, churned FROM {t} WHERE id <= @last ORDER BY id", new Dictionary<string, object?> { ["last"] = 1000 })
            .Label("churned")
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 30))
            .WithLogging(LoggerFactory.Create(b => b.AddProvider(logs)))
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.Equal(1000, result.Rows);
        Assert.InRange(result.Metrics[Metric.Auc], 0.65, 1.0);
        Assert.DoesNotContain(logs.Events, e => e.Id == 1016); // ordered
        Assert.Contains(logs.Events, e => e.Id == 1002 && e.Message.Contains("Npgsql 127.0.0.1", StringComparison.Ordinal));
    }
}
