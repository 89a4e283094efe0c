using Microsoft.Extensions.Logging;
using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Database;
using MlToolkit.Pipeline;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Extraction.Database;

public class SqliteSourceTests
{
    private static async Task<DataTable> ReadAsync(string path, string query, Action<DatabaseSourceOptions>? configure = null, ExtractionContext? context = null)
    {
        var options = new DatabaseSourceOptions { Query = query };
        configure?.Invoke(options);
        ExtractedData data = await DatabaseDataSource.FromSqlite(path, options).ExtractAsync(context ?? ExtractionContext.Standalone(), Ct);
        return Assert.IsType<DataTable>(data.Data);
    }

    private static float[] Numbers(DataTable table, string column) => ((NumberColumn)table.FindColumn(column)!).Values;

    private static IEnumerable<string?> Texts(DataTable table, string column) => ((TextColumn)table.FindColumn(column)!).Values;

    [Fact]
    public async Task Extract_DeclaredTypes_BecomeNumberTextAndIsoDates()
    {
        using var db = new SqliteTestDatabase("""
            CREATE TABLE t(i INTEGER, r REAL, s TEXT, b BOOLEAN, d DATETIME);
            INSERT INTO t VALUES (7, 1.5, 'a', 1, '2020-01-02 03:04:05'), (-3, 2.25, 'b', 0, '2021-12-31');
            """);

        DataTable table = await ReadAsync(db.Path, "SELECT i, r, s, b, d FROM t ORDER BY i");

        Assert.Equal([ColumnKind.Number, ColumnKind.Number, ColumnKind.Text, ColumnKind.Number, ColumnKind.Text], table.Columns.Select(c => c.Kind));
        Assert.Equal([-3f, 7f], Numbers(table, "i"));
        Assert.Equal([2.25f, 1.5f], Numbers(table, "r"));
        Assert.Equal(["b", "a"], Texts(table, "s"));
        Assert.Equal([0f, 1f], Numbers(table, "b")); // SQLite has no booleans: 0/1 integers, unless ColumnTypes says Boolean
        Assert.Equal(["2021-12-31", "2020-01-02 03:04:05"], Texts(table, "d"));
    }

    [Fact]
    public async Task Extract_NullsByDefault_AreNaNAndNullNeverZero()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE t(id INTEGER, x REAL, s TEXT); INSERT INTO t VALUES (1, NULL, NULL), (2, 0, 'z');");

        DataTable table = await ReadAsync(db.Path, "SELECT x, s FROM t ORDER BY id");

        Assert.True(float.IsNaN(Numbers(table, "x")[0]));
        Assert.Equal(0f, Numbers(table, "x")[1]);
        Assert.Equal([null, "z"], Texts(table, "s"));
    }

    [Fact]
    public async Task Extract_NullsSetToFail_ThrowsNamingColumnAndRow()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE t(id INTEGER, x REAL); INSERT INTO t VALUES (1, 1), (2, 2), (3, NULL);");

        var ex = await Assert.ThrowsAsync<DataSourceException>(() => ReadAsync(db.Path, "SELECT id, x FROM t ORDER BY id", o => o.Nulls = NullHandling.Fail));

        Assert.Equal(3, ex.Line);
        Assert.Equal("x", ex.Column);
        Assert.Equal(PipelineStage.Extraction, ex.Stage);
        Assert.Contains("row 3, column 'x': is NULL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_TextInARealColumn_ThrowsInsteadOfReadingZero()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE t(id INTEGER, x REAL); INSERT INTO t VALUES (1, 1.5), (2, 'abc');");

        var ex = await Assert.ThrowsAsync<DataSourceException>(() => ReadAsync(db.Path, "SELECT x FROM t ORDER BY id"));

        Assert.Equal(2, ex.Line);
        Assert.Equal("x", ex.Column);
        Assert.Contains("holds text where the column holds numbers", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("abc", ex.Message, StringComparison.Ordinal); // values are not echoed by default
    }

    [Fact]
    public async Task Extract_IncludeValuesInErrors_QuotesTheValue()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE t(id INTEGER, x REAL); INSERT INTO t VALUES (1, 'abc');");

        var ex = await Assert.ThrowsAsync<DataSourceException>(() => ReadAsync(db.Path, "SELECT x FROM t", o => o.IncludeValuesInErrors = true));

        Assert.Contains("(value 'abc')", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_ExpressionColumns_TakeTheKindOfTheirFirstValueAfterLeadingNulls()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE t(id INTEGER, a, b); INSERT INTO t VALUES (1, NULL, NULL), (2, 3, 'x'), (3, 4.5, 'y');");

        DataTable table = await ReadAsync(db.Path, "SELECT a * 2 AS doubled, b || '!' AS shout, NULL AS empty FROM t ORDER BY id");

        Assert.Equal(ColumnKind.Number, table.FindColumn("doubled")!.Kind);
        Assert.True(float.IsNaN(Numbers(table, "doubled")[0]));
        Assert.Equal([6f, 9f], Numbers(table, "doubled")[1..]);
        Assert.Equal([null, "x!", "y!"], Texts(table, "shout"));
        Assert.All(Numbers(table, "empty"), v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public async Task Extract_ParameterValue_IsSentAsAValueNotAsSql()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE t(id INTEGER, name TEXT); INSERT INTO t VALUES (1, 'ann'), (2, 'bob');");
        const string hostile = "x'; DROP TABLE t; --";

        DataTable none = await ReadAsync(db.Path, "SELECT id FROM t WHERE name = @name ORDER BY id", o => o.Parameters["@name"] = hostile);
        DataTable bob = await ReadAsync(db.Path, "SELECT id FROM t WHERE name = @name ORDER BY id", o => o.Parameters["@name"] = "bob");

        Assert.Equal(0, none.RowCount);
        Assert.Equal([2f], Numbers(bob, "id"));
        Assert.Equal(2, db.Count("t")); // still there
    }

    /// <summary>SQLite declares nothing about an expression and BLOB alike, so binary data is refused at its first value (PostgreSQL's bytea is refused before any row).</summary>
    [Fact]
    public async Task Extract_BinaryValue_FailsNamingColumnAndRow()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE t(id INTEGER, photo BLOB); INSERT INTO t VALUES (1, NULL), (2, x'00ff');");

        var ex = await Assert.ThrowsAsync<DataSourceException>(() => ReadAsync(db.Path, "SELECT id, photo FROM t ORDER BY id"));

        Assert.Equal("photo", ex.Column);
        Assert.Equal(2, ex.Line);
        Assert.Contains("holds binary data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_DuplicateColumnNames_FailAskingForAliases()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE t(id INTEGER); INSERT INTO t VALUES (1);");

        var ex = await Assert.ThrowsAsync<DataSchemaException>(() => ReadAsync(db.Path, "SELECT id, id FROM t"));

        Assert.Contains("two columns named 'id'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_IntegerReadAsBoolean_TakesOneAndZeroAndRefusesTwo()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE t(id INTEGER, flag BOOLEAN); INSERT INTO t VALUES (1, 1), (2, 0);");

        DataTable table = await ReadAsync(db.Path, "SELECT flag FROM t ORDER BY id", o => o.ColumnTypes["flag"] = ColumnKind.Boolean);
        db.Execute("INSERT INTO t VALUES (3, 2);");
        var ex = await Assert.ThrowsAsync<DataSourceException>(() => ReadAsync(db.Path, "SELECT flag FROM t ORDER BY id", o => o.ColumnTypes["flag"] = ColumnKind.Boolean));

        Assert.Equal([true, false], ((BooleanColumn)table.FindColumn("flag")!).Values);
        Assert.Equal(3, ex.Line);
        Assert.Contains("takes only 1 and 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_ColumnTypesNamingAMissingColumn_FailsListingTheColumns()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE t(id INTEGER); INSERT INTO t VALUES (1);");

        var ex = await Assert.ThrowsAsync<DataSchemaException>(() => ReadAsync(db.Path, "SELECT id FROM t", o => o.ColumnTypes["idd"] = ColumnKind.Text));

        Assert.Contains("ColumnTypes names 'idd', which the query does not return (it returns: id)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("9e999", InfinityHandling.Fail, "is +Infinity")]
    [InlineData("-9e999", InfinityHandling.Fail, "is -Infinity")]
    [InlineData("1e300", InfinityHandling.Fail, "beyond the range of a 32-bit float")]
    [InlineData("1e300", InfinityHandling.Missing, "beyond the range of a 32-bit float")]
    public async Task Extract_InfiniteOrHugeValues_FailNamingTheRow(string literal, InfinityHandling infinity, string expected)
    {
        using var db = new SqliteTestDatabase($"CREATE TABLE t(id INTEGER, x REAL); INSERT INTO t VALUES (1, 1), (2, {literal});");

        var ex = await Assert.ThrowsAsync<DataSourceException>(() => ReadAsync(db.Path, "SELECT x FROM t ORDER BY id", o => o.Infinity = infinity));

        Assert.Equal(2, ex.Line);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_InfinityAsMissing_IsNaN()
    {
        using var db = new SqliteTestDatabase("CREATE TABLE t(id INTEGER, x REAL); INSERT INTO t VALUES (1, 9e999);");

        DataTable table = await ReadAsync(db.Path, "SELECT x FROM t", o => o.Infinity = InfinityHandling.Missing);

        Assert.True(float.IsNaN(Numbers(table, "x")[0]));
    }

    [Fact]
    public async Task Extract_ManyRows_ReportsProgressAndReadsThemAll()
    {
        using SqliteTestDatabase db = SqliteTestDatabase.Churn(70_000);
        var reports = new List<long>();
        var context = new ExtractionContext(new Microsoft.ML.MLContext(1), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance) { RowsRead = new SyncProgress<long>(reports.Add) };

        DataTable table = await ReadAsync(db.Path, "SELECT * FROM customers ORDER BY id", context: context);

        Assert.Equal(70_000, table.RowCount);
        Assert.Equal([65_536L, 70_000L], reports);
        Assert.Equal(Enumerable.Range(1, 70_000).Select(i => (float)i), Numbers(table, "id"));
    }

    [Fact]
    public async Task Extract_MissingFile_ThrowsDataSourceExceptionNamingTheFile()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = Path.Combine(folder.Path, "nope.db");

        var ex = await Assert.ThrowsAsync<DataSourceException>(() => ReadAsync(path, "SELECT 1"));

        Assert.Contains(path, ex.DataSource, StringComparison.Ordinal);
        Assert.Contains("unable to open database file", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("SELECT * FROM t ORDER BY id", true)]
    [InlineData("select *\nfrom t\norder\n  by id desc", true)]
    [InlineData("SELECT * FROM (SELECT * FROM t) ORDER BY 1", true)]
    [InlineData("SELECT * FROM t", false)]
    [InlineData("SELECT 'order by' AS label FROM t", false)]
    [InlineData("SELECT * FROM t -- order by id", false)]
    [InlineData("SELECT * /* ORDER BY id */ FROM t", false)]
    [InlineData("SELECT \"order by\" FROM t", false)]
    [InlineData("SELECT * FROM t_order_by", false)]
    public void HasOrderBy_LooksOutsideCommentsAndLiterals(string query, bool expected)
    {
        Assert.Equal(expected, DatabaseDataSource.HasOrderBy(query));
    }

    [Fact]
    public async Task RunAsync_FromSqlite_TrainsAndWarnsOnlyWithoutOrderBy()
    {
        using SqliteTestDatabase db = SqliteTestDatabase.Churn(1_500);
        var unordered = new CollectingLoggerProvider();
        var ordered = new CollectingLoggerProvider();

        PipelineResult result = await Pipeline(db.Path, "SELECT tenure, charge, plan, autopay, churned FROM customers", unordered).RunAsync(cancellationToken: Ct);
        await Pipeline(db.Path, "SELECT tenure, charge, plan, autopay, churned FROM customers ORDER BY id", ordered).RunAsync(cancellationToken: Ct);

        Assert.Equal(1_500, result.Rows);
        Assert.InRange(result.Metrics[Metric.Auc], 0.7, 1.0);
        Assert.Equal("yes", result.ClassNames[1]);
        Assert.True(result.DataQuality.Columns.Single(c => c.Name == "charge").Missing > 0);
        Assert.Single(unordered.Events, e => e.Id == 1016);
        Assert.DoesNotContain(ordered.Events, e => e.Id == 1016);

        static TrainingPipeline Pipeline(string path, string query, CollectingLoggerProvider logs)
            => new PipelineBuilder(3)
                .FromSqlite(path, query)
                .Label("churned")
                .Train(Trainers.Binary.LightGbm(numberOfIterations: 30))
                .WithLogging(LoggerFactory.Create(b => b.AddProvider(logs)))
                .Build();
    }

    [Fact]
    public void Name_NamesProviderFileAndQuery()
    {
        var source = DatabaseDataSource.FromSqlite("/data/churn.db", new DatabaseSourceOptions { Query = "SELECT *   FROM customers\n ORDER BY id" });

        Assert.Equal("Microsoft.Data.Sqlite /data/churn.db (SELECT * FROM customers ORDER BY id)", source.Name);
    }
}
