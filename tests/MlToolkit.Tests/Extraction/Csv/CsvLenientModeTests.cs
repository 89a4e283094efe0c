using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;
using static MlToolkit.Tests.Extraction.Csv.CsvTestReader;

namespace MlToolkit.Tests.Extraction.Csv;

public class CsvLenientModeTests
{
    // Line 1 header; line 3 has an unparseable number; line 5 is short (a field count mismatch).
    private const string TwoBadRows =
        "id,x,name\n" +
        "1,1.0,a\n" +
        "2,oops,b\n" +
        "3,3.0,c\n" +
        "4,4.0\n" +
        "5,5.0,e\n";

    [Fact]
    public async Task ExtractAsync_TwoBadRowsLenient_ReturnsOnlyGoodRows()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", TwoBadRows);

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, Options());

        Assert.Equal(3, table.RowCount);
        Assert.Equal([1f, 3f, 5f], Numbers(table, "id"));
        Assert.Equal([1f, 3f, 5f], Numbers(table, "x"));
        AssertTexts(["a", "c", "e"], Texts(table, "name"));
        Assert.Equal(2, data.SkippedRowCount);
    }

    [Fact]
    public async Task ExtractAsync_TwoBadRowsLenient_ReportsOneBasedLines()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", TwoBadRows);

        (_, ExtractedData data) = await ReadFileAsync(path, Options());

        Assert.Equal(2, data.SkippedRows.Count);
        Assert.Equal([3L, 5L], data.SkippedRows.Select(r => r.Line).Order());
        SkippedRow valueError = data.SkippedRows.Single(r => r.Line == 3);
        Assert.Equal("x", valueError.Column);
        Assert.DoesNotContain("oops", valueError.Reason, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(data.SkippedRows.Single(r => r.Line == 5).Reason));
    }

    [Fact]
    public async Task ExtractAsync_TwoBadRowsStrict_ThrowsNamingOneOfTheBadLines()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", TwoBadRows);
        var options = new CsvSourceOptions();
        options.ColumnTypes["x"] = ColumnKind.Number;

        CsvDataException ex = await FailsAsync(path, options);

        // The structural error of line 5 is found by the inference pass, before the value error of line 3.
        Assert.NotNull(ex.Line);
        Assert.Contains(ex.Line.Value, new long[] { 3, 5 });
        Assert.Equal(path, ex.DataSource);
        Assert.Contains($"line {ex.Line}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_TwoBadValuesStrict_ThrowsAtFirstBadLine()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "id,x\n1,1\n2,oops\n3,3\n4,1e40\n");
        var options = new CsvSourceOptions();
        options.ColumnTypes["x"] = ColumnKind.Number;

        CsvDataException ex = await FailsAsync(path, options);

        Assert.Equal(3, ex.Line);
        Assert.Equal("x", ex.Column);
        Assert.Equal(ColumnKind.Number, ex.ExpectedKind);
    }

    [Fact]
    public async Task ExtractAsync_MoreSkippedThanMaxReported_CountsAllReportsCap()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x\n1\nbad\n2\nbad\nbad\n3\n");
        CsvSourceOptions options = Lenient();
        options.ColumnTypes["x"] = ColumnKind.Number;
        options.MaxSkippedRowsReported = 2;

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, options);

        Assert.Equal([1f, 2f, 3f], Numbers(table, "x"));
        Assert.Equal(3, data.SkippedRowCount);
        Assert.Equal([3L, 5L], data.SkippedRows.Select(r => r.Line));
    }

    [Fact]
    public async Task ExtractAsync_LenientWithoutBadRows_ReportsNothingSkipped()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x,y\n1,a\n2,b\n");

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, Lenient());

        Assert.Equal([1f, 2f], Numbers(table, "x"));
        Assert.Equal(0, data.SkippedRowCount);
        Assert.Empty(data.SkippedRows);
    }

    [Fact]
    public async Task ExtractAsync_LenientMissingValues_AreNotBadRows()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x,y\n1,a\n,b\nNA,\n?,d\n");

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, Lenient());

        Assert.Equal([1f, float.NaN, float.NaN, float.NaN], Numbers(table, "x"));
        AssertTexts(["a", "b", null, "d"], Texts(table, "y"));
        Assert.Equal(0, data.SkippedRowCount);
    }

    private static CsvSourceOptions Options()
    {
        CsvSourceOptions options = Lenient();
        options.ColumnTypes["x"] = ColumnKind.Number;
        return options;
    }
}
