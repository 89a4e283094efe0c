using System.Text;
using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;
using static MlToolkit.Tests.Extraction.Csv.CsvTestReader;

namespace MlToolkit.Tests.Extraction.Csv;

public class CsvBadInputTests
{
    // ---- Malformed quoting -------------------------------------------------------------------

    [Fact]
    public async Task ExtractAsync_UnterminatedQuoteStrict_ThrowsNamingSourceAndLine()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b\n1,x\n2,\"Zqopen\n3,z\n");

        CsvDataException ex = await FailsAsync(path);

        AssertNamesSourceAndLine(ex, path, 3);
        Assert.DoesNotContain("Zqopen", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_UnterminatedQuoteLenient_SkipsThatLineAndResumesAtTheNext()
    {
        // Before issue 13 the unclosed quote swallowed line 4 as well (only the row before it was kept).
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b\n1,x\n2,\"Zqopen\n3,z\n");

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, Lenient());

        Assert.Equal([1f, 3f], Numbers(table, "a"));
        AssertTexts(["x", "z"], Texts(table, "b"));
        Assert.Equal(1, data.SkippedRowCount);
        Assert.Equal(3, Assert.Single(data.SkippedRows).Line);
    }

    [Fact]
    public async Task ExtractAsync_StrayQuoteInUnquotedFieldStrict_ThrowsNamingSourceAndLine()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b\n1,x\n2,Zq\"b\n3,z\n");

        CsvDataException ex = await FailsAsync(path);

        AssertNamesSourceAndLine(ex, path, 3);
        Assert.DoesNotContain("Zq\"b", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_StrayQuoteInUnquotedFieldLenient_SkipsOnlyThatRow()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b\n1,x\n2,Zq\"b\n3,z\n");

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, Lenient());

        Assert.Equal([1f, 3f], Numbers(table, "a"));
        AssertTexts(["x", "z"], Texts(table, "b"));
        Assert.Equal(1, data.SkippedRowCount);
        Assert.Equal(3, Assert.Single(data.SkippedRows).Line);
    }

    [Fact]
    public async Task ExtractAsync_TextAfterClosingQuoteStrict_ThrowsNamingSourceAndLine()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b\n1,x\n2,\"Zqab\"cd\n3,z\n");

        CsvDataException ex = await FailsAsync(path);

        AssertNamesSourceAndLine(ex, path, 3);
        Assert.DoesNotContain("Zqab", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_TextAfterClosingQuoteLenient_SkipsOnlyThatRow()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b\n1,x\n2,\"Zqab\"cd\n3,z\n");

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, Lenient());

        Assert.Equal([1f, 3f], Numbers(table, "a"));
        AssertTexts(["x", "z"], Texts(table, "b"));
        Assert.Equal(1, data.SkippedRowCount);
        Assert.Equal(3, Assert.Single(data.SkippedRows).Line);
    }

    // ---- Field counts ------------------------------------------------------------------------

    [Fact]
    public async Task ExtractAsync_ShortRowStrict_ThrowsNamingSourceAndLine()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n");

        CsvDataException ex = await FailsAsync(path);

        AssertNamesSourceAndLine(ex, path, 3);
    }

    [Fact]
    public async Task ExtractAsync_ShortRowLenient_SkipsOnlyThatRow()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n");

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, Lenient());

        Assert.Equal([1f, 6f], Numbers(table, "a"));
        Assert.Equal([2f, 7f], Numbers(table, "b"));
        Assert.Equal([3f, 8f], Numbers(table, "c"));
        Assert.Equal(1, data.SkippedRowCount);
        Assert.Equal(3, Assert.Single(data.SkippedRows).Line);
    }

    [Fact]
    public async Task ExtractAsync_LongRowStrict_ThrowsNamingSourceAndLine()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b\n1,2\n3,4,5\n6,7\n");

        CsvDataException ex = await FailsAsync(path);

        AssertNamesSourceAndLine(ex, path, 3);
    }

    [Fact]
    public async Task ExtractAsync_LongRowLenient_SkipsOnlyThatRow()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b\n1,2\n3,4,5\n6,7\n");

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, Lenient());

        Assert.Equal([1f, 6f], Numbers(table, "a"));
        Assert.Equal([2f, 7f], Numbers(table, "b"));
        Assert.Equal(1, data.SkippedRowCount);
        Assert.Equal(3, Assert.Single(data.SkippedRows).Line);
    }

    [Fact]
    public async Task ExtractAsync_HeaderHasFewerNamesThanDataStrict_ThrowsAtFirstDataLine()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b\n1,2,3\n4,5,6\n");

        CsvDataException ex = await FailsAsync(path);

        AssertNamesSourceAndLine(ex, path, 2);
    }

    [Fact]
    public async Task ExtractAsync_HeaderHasFewerNamesThanDataLenient_SkipsEveryRow()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b\n1,2,3\n4,5,6\n");

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, Lenient());

        Assert.Equal(0, table.RowCount);
        Assert.Equal(["a", "b"], table.Columns.Select(c => c.Name));
        Assert.Equal(2, data.SkippedRowCount);
        Assert.Equal([2L, 3L], data.SkippedRows.Select(r => r.Line).Order());
    }

    // ---- Empty input, header only, header problems -------------------------------------------

    [Fact]
    public async Task ExtractAsync_EmptyFile_ThrowsCsvDataExceptionNamingSource()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("empty.csv", string.Empty);

        CsvDataException ex = await FailsAsync(path);

        Assert.Equal(path, ex.DataSource);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSchema_EmptyFile_ThrowsCsvDataException()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("empty.csv", string.Empty);
        CsvDataSource source = CsvDataSource.FromFile(path);

        CsvDataException ex = Assert.Throws<CsvDataException>(() => source.GetSchema());

        Assert.Equal(path, ex.DataSource);
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_EmptyFileWithoutHeader_ThrowsCsvDataException()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("empty.csv", string.Empty);

        CsvDataException ex = await FailsAsync(path, new CsvSourceOptions { HasHeader = false });

        Assert.Equal(path, ex.DataSource);
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_MissingFile_ThrowsCsvDataExceptionSayingItDoesNotExist()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = Path.Combine(folder.Path, "nope.csv");

        CsvDataException ex = await FailsAsync(path);

        Assert.Equal(path, ex.DataSource);
        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a,b,c\n")]
    [InlineData("a,b,c")]
    [InlineData("a,b,c\r\n")]
    public async Task ExtractAsync_HeaderOnly_ReturnsZeroRowsWithTheColumns(string content)
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("header.csv", content);

        (DataTable table, ExtractedData data) = await ReadFileAsync(path);

        Assert.Equal(0, table.RowCount);
        Assert.Equal(["a", "b", "c"], table.Columns.Select(c => c.Name));
        Assert.Equal(0, data.SkippedRowCount);
        Assert.Empty(data.SkippedRows);
    }

    [Fact]
    public async Task ExtractAsync_DuplicateHeaderNames_ThrowsNamingTheColumn()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "id,price,id\n1,2,3\n");

        CsvDataException ex = await FailsAsync(path);

        Assert.Equal(path, ex.DataSource);
        Assert.Equal("id", ex.Column);
        Assert.Equal(1, ex.Line);
        Assert.Contains("'id'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSchema_DuplicateHeaderNames_ThrowsNamingTheColumn()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x,y,y\n1,2,3\n");
        CsvDataSource source = CsvDataSource.FromFile(path);

        CsvDataException ex = Assert.Throws<CsvDataException>(() => source.GetSchema());

        Assert.Equal("y", ex.Column);
    }

    [Fact]
    public async Task ExtractAsync_Utf8ByteOrderMark_FirstColumnNameHasNoBom()
    {
        using TempFolder folder = TestData.TempFolder();
        byte[] bytes = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("id,x\n1,2.5\n2,3.5\n")];
        string path = folder.WriteBytes("bom.csv", bytes);

        (DataTable table, _) = await ReadFileAsync(path);

        Assert.Equal("id", table.Columns[0].Name);
        Assert.Equal([1f, 2f], Numbers(table, "id"));
        Assert.Equal([2.5f, 3.5f], Numbers(table, "x"));
    }

    [Fact]
    public void GetSchema_Utf8ByteOrderMark_FirstColumnNameHasNoBom()
    {
        using TempFolder folder = TestData.TempFolder();
        byte[] bytes = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("label,x\nyes,1\n")];
        string path = folder.WriteBytes("bom.csv", bytes);

        Dictionary<string, ColumnKind> kinds = Kinds(CsvDataSource.FromFile(path));

        Assert.Equal(["label", "x"], kinds.Keys);
    }

    [Fact]
    public async Task ExtractAsync_Utf8ByteOrderMarkWithoutHeader_FirstValueParses()
    {
        using TempFolder folder = TestData.TempFolder();
        byte[] bytes = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("1,a\n2,b\n")];
        string path = folder.WriteBytes("bom.csv", bytes);

        (DataTable table, _) = await ReadFileAsync(path, new CsvSourceOptions { HasHeader = false });

        Assert.Equal([1f, 2f], Numbers(table, "Column1"));
        AssertTexts(["a", "b"], Texts(table, "Column2"));
    }

    [Fact]
    public async Task ExtractAsync_Utf8ByteOrderMarkBeforeQuotedHeader_ReadsNames()
    {
        using TempFolder folder = TestData.TempFolder();
        byte[] bytes = [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("\"id\",\"x\"\n1,2\n")];
        string path = folder.WriteBytes("bom.csv", bytes);

        (DataTable table, _) = await ReadFileAsync(path);

        Assert.Equal(["id", "x"], table.Columns.Select(c => c.Name));
        Assert.Equal([1f], Numbers(table, "id"));
    }

    [Fact]
    public async Task ExtractAsync_Utf16WithByteOrderMark_ReadsValues()
    {
        using TempFolder folder = TestData.TempFolder();
        byte[] bytes = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("id,city\n1,Zürich\n2,Köln\n")];
        string path = folder.WriteBytes("utf16.csv", bytes);

        (DataTable table, _) = await ReadFileAsync(path);

        Assert.Equal("id", table.Columns[0].Name);
        Assert.Equal([1f, 2f], Numbers(table, "id"));
        AssertTexts(["Zürich", "Köln"], Texts(table, "city"));
    }

    [Fact]
    public async Task ExtractAsync_ByteOrderMarkOnly_ThrowsEmpty()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.WriteBytes("bom.csv", Encoding.UTF8.GetPreamble());

        CsvDataException ex = await FailsAsync(path);

        Assert.Equal(path, ex.DataSource);
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_OnlyBlankLines_ThrowsEmpty()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("blank.csv", "\n\r\n\n");

        CsvDataException ex = await FailsAsync(path);

        Assert.Equal(path, ex.DataSource);
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_EmptyFileWithColumnNames_ThrowsCsvDataException()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("empty.csv", string.Empty);
        var options = new CsvSourceOptions { HasHeader = false };
        options.ColumnNames.Add("id");
        options.ColumnNames.Add("name");

        CsvDataException ex = await FailsAsync(path, options);

        Assert.Equal(path, ex.DataSource);
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    // ---- Values that do not parse ------------------------------------------------------------

    [Fact]
    public async Task ExtractAsync_UnparseableNumberStrict_NamesLineColumnKindButNotValue()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "id,amount\n1,1.5\n2,Zq12abc\n3,4\n");
        var options = new CsvSourceOptions();
        options.ColumnTypes["amount"] = ColumnKind.Number;

        CsvDataException ex = await FailsAsync(path, options);

        Assert.Equal(path, ex.DataSource);
        Assert.Equal(3, ex.Line);
        Assert.Equal("amount", ex.Column);
        Assert.Equal(ColumnKind.Number, ex.ExpectedKind);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'amount'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Zq12abc", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_UnparseableNumberWithIncludeValuesInErrors_MessageContainsValue()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "id,amount\n1,1.5\n2,Zq12abc\n3,4\n");
        var options = new CsvSourceOptions { IncludeValuesInErrors = true };
        options.ColumnTypes["amount"] = ColumnKind.Number;

        CsvDataException ex = await FailsAsync(path, options);

        Assert.Equal(3, ex.Line);
        Assert.Equal("amount", ex.Column);
        Assert.Equal(ColumnKind.Number, ex.ExpectedKind);
        Assert.Contains("'Zq12abc'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_UnparseableNumberLenient_SkipsRowReportingLineAndColumnWithoutValue()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "id,name,amount,ok\n1,a,1.5,true\n2,b,Zq12abc,false\n3,c,4,false\n");
        CsvSourceOptions options = Lenient();
        options.ColumnTypes["amount"] = ColumnKind.Number;

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, options);

        Assert.Equal([1f, 3f], Numbers(table, "id"));
        AssertTexts(["a", "c"], Texts(table, "name"));
        Assert.Equal([1.5f, 4f], Numbers(table, "amount"));
        Assert.Equal([true, false], Booleans(table, "ok"));
        Assert.Equal(1, data.SkippedRowCount);
        SkippedRow skipped = Assert.Single(data.SkippedRows);
        Assert.Equal(3, skipped.Line);
        Assert.Equal("amount", skipped.Column);
        Assert.DoesNotContain("Zq12abc", skipped.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1e40")]
    [InlineData("-1e40")]
    public async Task ExtractAsync_NumberBeyondFloatRangeStrict_Throws(string value)
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", $"id,x\n1,2.5\n2,{value}\n");

        CsvDataException ex = await FailsAsync(path);

        Assert.Equal(path, ex.DataSource);
        Assert.Equal(3, ex.Line);
        Assert.Equal("x", ex.Column);
        Assert.Equal(ColumnKind.Number, ex.ExpectedKind);
        Assert.DoesNotContain(value, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_NumberBeyondFloatRangeLenient_SkipsRowNeverStoresInfinity()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "id,x\n1,2.5\n2,1e40\n3,3e38\n");

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, Lenient());

        Assert.Equal([1f, 3f], Numbers(table, "id"));
        Assert.Equal([2.5f, 3e38f], Numbers(table, "x"));
        Assert.Equal(1, data.SkippedRowCount);
        Assert.Equal(3, Assert.Single(data.SkippedRows).Line);
    }

    [Fact]
    public async Task ExtractAsync_MissingValueInBooleanColumnStrict_ThrowsExpectingBoolean()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "id,flag\n1,true\n2,\n3,false\n");

        CsvDataException ex = await FailsAsync(path);

        Assert.Equal(3, ex.Line);
        Assert.Equal("flag", ex.Column);
        Assert.Equal(ColumnKind.Boolean, ex.ExpectedKind);
    }

    [Fact]
    public async Task ExtractAsync_BadBooleanLenient_SkipsRow()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "id,flag\n1,true\n2,maybe\n3,false\n");
        CsvSourceOptions options = Lenient();
        options.ColumnTypes["flag"] = ColumnKind.Boolean;

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, options);

        Assert.Equal([1f, 3f], Numbers(table, "id"));
        Assert.Equal([true, false], Booleans(table, "flag"));
        SkippedRow skipped = Assert.Single(data.SkippedRows);
        Assert.Equal(3, skipped.Line);
        Assert.Equal("flag", skipped.Column);
    }

    // ---- Line endings, quoting, blank lines --------------------------------------------------

    [Fact]
    public async Task ExtractAsync_MixedLineEndings_ReadsEveryRow()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b\r\n1,x\n2,y\r3,z\r\n4,w");

        (DataTable table, _) = await ReadFileAsync(path);

        Assert.Equal([1f, 2f, 3f, 4f], Numbers(table, "a"));
        AssertTexts(["x", "y", "z", "w"], Texts(table, "b"));
    }

    [Fact]
    public async Task ExtractAsync_MixedLineEndingsBadValue_CountsEachLineBreakOnce()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b\r\n1,x\r2,y\nbad,z\r\n4,w\n");
        var options = new CsvSourceOptions();
        options.ColumnTypes["a"] = ColumnKind.Number;

        CsvDataException ex = await FailsAsync(path, options);

        Assert.Equal(4, ex.Line);
        Assert.Equal("a", ex.Column);
    }

    [Fact]
    public async Task ExtractAsync_QuotedFieldWithCommaAndLineBreak_ReadsOneValue()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "id,text\n1,\"hello, world\nsecond line\"\n2,plain\n3,\"say \"\"hi\"\"\"\n");

        (DataTable table, _) = await ReadFileAsync(path);

        Assert.Equal([1f, 2f, 3f], Numbers(table, "id"));
        AssertTexts(["hello, world\nsecond line", "plain", "say \"hi\""], Texts(table, "text"));
    }

    [Fact]
    public async Task ExtractAsync_BadValueAfterMultiLineField_ReportsPhysicalLine()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "id,text\n1,\"a\nb\"\nbad,c\n4,d\n");
        CsvSourceOptions options = Lenient();
        options.ColumnTypes["id"] = ColumnKind.Number;

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, options);

        Assert.Equal([1f, 4f], Numbers(table, "id"));
        AssertTexts(["a\nb", "d"], Texts(table, "text"));
        Assert.Equal(4, Assert.Single(data.SkippedRows).Line);
    }

    [Fact]
    public async Task ExtractAsync_BlankLines_AreSkippedNotErrors()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b\n1,x\n\n2,y\n\n\n3,z\n\n");

        (DataTable table, ExtractedData data) = await ReadFileAsync(path);

        Assert.Equal([1f, 2f, 3f], Numbers(table, "a"));
        AssertTexts(["x", "y", "z"], Texts(table, "b"));
        Assert.Equal(0, data.SkippedRowCount);
    }

    [Fact]
    public async Task ExtractAsync_BlankLinesBeforeBadValue_CountedInLineNumber()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a\n1\n\n\nbad\n");
        var options = new CsvSourceOptions();
        options.ColumnTypes["a"] = ColumnKind.Number;

        CsvDataException ex = await FailsAsync(path, options);

        Assert.Equal(5, ex.Line);
    }

    [Fact]
    public async Task ExtractAsync_TsvWithRawQuotesAndAllowQuotesFalse_ReadsQuotesAsText()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.tsv", "id\tnote\n1\tsay \"hi\"\n2\t\"quoted\" text\n3\t5\" screen\n");
        var options = new CsvSourceOptions { Separator = '\t', AllowQuotes = false };

        (DataTable table, _) = await ReadFileAsync(path, options);

        Assert.Equal([1f, 2f, 3f], Numbers(table, "id"));
        AssertTexts(["say \"hi\"", "\"quoted\" text", "5\" screen"], Texts(table, "note"));
    }

    [Fact]
    public async Task ExtractAsync_TsvWithRawQuotesAndDefaultAllowQuotes_ThrowsStrict()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.tsv", "id\tnote\n1\tsay \"hi\"\n2\tplain\n");
        var options = new CsvSourceOptions { Separator = '\t' };

        CsvDataException ex = await FailsAsync(path, options);

        AssertNamesSourceAndLine(ex, path, 2);
    }

    private static void AssertNamesSourceAndLine(CsvDataException ex, string path, long line)
    {
        Assert.Equal(path, ex.DataSource);
        Assert.Equal(line, ex.Line);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"line {line}", ex.Message, StringComparison.Ordinal);
        Assert.Equal(PipelineStage.Extraction, ex.Stage);
    }
}
