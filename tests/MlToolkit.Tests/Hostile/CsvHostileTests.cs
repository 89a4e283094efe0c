using System.Globalization;
using System.Text;
using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;
using MlToolkit.Storage;
using static MlToolkit.Tests.Extraction.Csv.CsvTestReader;

namespace MlToolkit.Tests.Hostile;

/// <summary>
/// Broken quoting and bad rows under <see cref="BadRowHandling.Skip"/>: one bad quote must cost one row, not the rest of
/// the file, every lost row is counted, and a read that loses too many rows stops.
/// </summary>
public class CsvHostileTests
{
    // ---- One unterminated quote ---------------------------------------------------------------

    [Fact]
    public async Task ExtractAsync_UnterminatedQuoteIn500RowsLenient_ResumesAtNextLineAndSkipsOneRow()
    {
        // Row 10 (line 11) opens a quote that is never closed; no other field is quoted.
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Rows(500, badRow: 10, bad: i => $"{i},{i * 0.5},\"Zqopen"));

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, Skip());

        Assert.Equal(499, table.RowCount);
        Assert.Equal(Enumerable.Range(1, 500).Where(i => i != 10).Select(i => (float)i), Numbers(table, "id"));
        Assert.Equal(1, data.SkippedRowCount);
        SkippedRow skipped = Assert.Single(data.SkippedRows);
        Assert.Equal(11, skipped.Line);
        Assert.Equal("name", skipped.Column);
        Assert.Contains("opens on line 11 and is never closed", skipped.Reason, StringComparison.Ordinal);
        Assert.Contains("reading resumed at line 12", skipped.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Zqopen", skipped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_UnterminatedQuoteLenient_InferenceSampleIsNotSwallowed()
    {
        // The bad quote is inside the inference sample: the kinds must come from the rows after it too.
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Rows(300, badRow: 2, bad: i => $"{i},\"Zqopen,x"));
        CsvDataSource source = CsvDataSource.FromFile(path, Skip());

        Dictionary<string, ColumnKind> kinds = Kinds(source);
        (DataTable table, ExtractedData data) = await ReadAsync(source);

        Assert.Equal(ColumnKind.Number, kinds["id"]);
        Assert.Equal(ColumnKind.Number, kinds["x"]);
        Assert.Equal(ColumnKind.Text, kinds["name"]);
        Assert.Equal(299, table.RowCount);
        Assert.Equal(3, Assert.Single(data.SkippedRows).Line);
    }

    [Fact]
    public async Task ExtractAsync_StrayQuoteClosedByLaterQuoteLenient_LosesOnlyTheBadRow()
    {
        // Every name is quoted; row 20 lacks its closing quote, so CsvHelper pairs it with the opening quote of row 21.
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Rows(200, badRow: 20, bad: i => $"{i},{i * 0.5},\"n{i}", quoteNames: true));

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, Skip());

        Assert.Equal(199, table.RowCount);
        Assert.Contains(21f, Numbers(table, "id"));
        Assert.DoesNotContain(20f, Numbers(table, "id"));
        Assert.Equal("n21", Texts(table, "name")[19]);
        SkippedRow skipped = Assert.Single(data.SkippedRows);
        Assert.Equal(21, skipped.Line);
        Assert.Contains("text follows the closing quote", skipped.Reason, StringComparison.Ordinal);
        Assert.Contains("reading resumed at line 22", skipped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_QuotedFieldPastMaxRecordLinesLenient_ResumesAndCountsEveryLostRow()
    {
        // A quote opened on line 11 closes 150 lines later, giving a well-formed record of the right field count: CsvHelper
        // would return one row whose name holds 150 rows. Past MaxRecordLines it is malformed; the rows inside are read.
        using TempFolder folder = TestData.TempFolder();
        var csv = new StringBuilder("id,x,name\n");
        for (int i = 1; i <= 300; i++)
        {
            csv.Append(i switch
            {
                10 => "10,1,\"Zqopen\n",
                160 => "160,1,Zqclose\"\n",
                _ => string.Create(CultureInfo.InvariantCulture, $"{i},1,n{i}\n"),
            });
        }

        string path = folder.Write("data.csv", csv.ToString());

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, Skip());

        Assert.Equal(298, table.RowCount);
        Assert.Equal(Enumerable.Range(1, 300).Where(i => i is not 10 and not 160).Select(i => (float)i), Numbers(table, "id"));
        Assert.Equal(2, data.SkippedRowCount);
        Assert.Equal([11L, 161L], data.SkippedRows.Select(r => r.Line));
        Assert.Contains("the record spans 151 lines, more than MaxRecordLines (100) allows", data.SkippedRows[0].Reason, StringComparison.Ordinal);
        Assert.Contains("column 'name' opens on line 11", data.SkippedRows[0].Reason, StringComparison.Ordinal);
        Assert.Equal("name", data.SkippedRows[0].Column);
    }

    [Fact]
    public async Task ExtractAsync_QuotedFieldPastMaxRecordLinesStrict_ThrowsNamingLineColumnAndLimit()
    {
        using TempFolder folder = TestData.TempFolder();
        var csv = new StringBuilder("id,name\n1,a\n2,\"Zqopen\n");
        for (int i = 3; i < 200; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{i},n{i}\n");
        }

        csv.Append("200,Zqclose\"\n201,b\n");
        string path = folder.Write("data.csv", csv.ToString());

        CsvDataException ex = await FailsAsync(path);

        Assert.Equal(3, ex.Line);
        Assert.Equal("name", ex.Column);
        Assert.Contains($"{path}, line 3: the record spans 199 lines, more than MaxRecordLines (100) allows", ex.Message, StringComparison.Ordinal);
        Assert.Contains("column 'name' opens on line 3", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Zqopen", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_MaxRecordLinesRaised_ReadsTheLongQuotedField()
    {
        using TempFolder folder = TestData.TempFolder();
        string text = string.Join("\n", Enumerable.Range(1, 150).Select(i => $"paragraph {i}, with a comma"));
        string path = folder.Write("data.csv", $"id,text\n1,\"{text}\"\n2,short\n");

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, new CsvSourceOptions { MaxRecordLines = 150 });

        Assert.Equal([1f, 2f], Numbers(table, "id"));
        AssertTexts([text, "short"], Texts(table, "text"));
        Assert.Equal(0, data.SkippedRowCount);
    }

    [Fact]
    public async Task ExtractAsync_LegitMultiLineQuotedFieldsUnderTheLimits_ReadAsOneValueEach()
    {
        using TempFolder folder = TestData.TempFolder();
        string address = "1 Main Street\r\nSpringfield\r\n\r\nUSA";
        string long99 = string.Join("\n", Enumerable.Range(1, 100).Select(i => $"l{i}"));
        string path = folder.Write("data.csv", $"id,text,x\r\n1,\"{address}\",1.5\r\n2,\"{long99}\",2.5\r\n3,plain,3.5\r\n");

        (DataTable table, ExtractedData data) = await ReadFileAsync(path);

        Assert.Equal([1f, 2f, 3f], Numbers(table, "id"));
        AssertTexts([address, long99, "plain"], Texts(table, "text"));
        Assert.Equal([1.5f, 2.5f, 3.5f], Numbers(table, "x"));
        Assert.Equal(0, data.SkippedRowCount);
    }

    [Fact]
    public async Task ExtractAsync_ManyBlankLinesBetweenRecords_AreNotALongRecord()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "id,name\n1,a\n" + new string('\n', 300) + "2,b\n" + new string('\n', 300));

        (DataTable table, ExtractedData data) = await ReadFileAsync(path);

        Assert.Equal([1f, 2f], Numbers(table, "id"));
        Assert.Equal(0, data.SkippedRowCount);
    }

    [Fact]
    public async Task ExtractAsync_UnterminatedQuoteStrict_NamesTheLineWhereTheQuotedFieldOpens()
    {
        // The record starts on line 3 with a legit two-line field; the quote that is never closed opens on line 4.
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b,c\n1,x,y\n2,\"two\nlines\",\"Zqopen\n3,z,w\n4,v,u\n");

        CsvDataException ex = await FailsAsync(path);

        Assert.Equal(4, ex.Line);
        Assert.Equal("c", ex.Column);
        Assert.Contains($"{path}, line 4: a quoted field in column 'c' opens on line 4 and is never closed (the record starts on line 3)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Zqopen", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_RecordPastMaxRecordBytesLenient_ResumesAtNextLine()
    {
        // An unclosed quote early in a 600 KB file: CsvHelper stops buffering past MaxRecordBytes instead of reading the rest.
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Rows(20_000, badRow: 5, bad: i => $"{i},{i * 0.5},\"Zqopen"));
        CsvSourceOptions options = Skip();
        options.MaxRecordBytes = 70_000;
        options.MaxRecordLines = 100_000;

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, options);

        Assert.Equal(19_999, table.RowCount);
        Assert.Equal(1, data.SkippedRowCount);
        SkippedRow skipped = Assert.Single(data.SkippedRows);
        Assert.Equal(6, skipped.Line);
        Assert.Contains("longer than MaxRecordBytes (70000 bytes)", skipped.Reason, StringComparison.Ordinal);
        Assert.Contains("reading resumed at line 7", skipped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_LongUnquotedLinePastMaxRecordBytesStrict_Throws()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", $"id,text\n1,a\n2,{new string('z', 5000)}\n3,c\n");

        CsvDataException ex = await FailsAsync(path, new CsvSourceOptions { MaxRecordBytes = 4096 });

        Assert.Equal(3, ex.Line);
        Assert.Contains("line 3: the record is longer than MaxRecordBytes (4096 bytes)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromStream_UnterminatedQuoteLenient_ResumesAtNextLine()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Rows(400, badRow: 100, bad: i => $"{i},1,\"Zqopen"));
        using var stream = new MemoryStream(bytes);

        (DataTable table, ExtractedData data) = await ReadAsync(CsvDataSource.FromStream(stream, "upload.csv", Skip()));

        Assert.Equal(399, table.RowCount);
        Assert.Equal(101, Assert.Single(data.SkippedRows).Line);
    }

    [Fact]
    public async Task FromStore_UnterminatedQuoteLenient_ResumesAtNextLine()
    {
        using TempFolder folder = TestData.TempFolder();
        folder.Write("data.csv", Rows(400, badRow: 399, bad: i => $"{i},1,\"Zqopen"));

        (DataTable table, ExtractedData data) = await ReadAsync(CsvDataSource.FromStore(new LocalArtifactStore(folder.Path), "data.csv", Skip()));

        Assert.Equal(399, table.RowCount);
        Assert.Equal(400, Assert.Single(data.SkippedRows).Line);
    }

    [Fact]
    public async Task ExtractAsync_SeveralUnterminatedQuotesWithCrLf_EachCostsOneRow()
    {
        using TempFolder folder = TestData.TempFolder();
        string text = Rows(1000, badRow: -1, bad: i => string.Empty).Replace("\n", "\r\n", StringComparison.Ordinal);
        string[] lines = text.Split("\r\n");
        foreach (int row in new[] { 50, 51, 400, 999 })
        {
            lines[row] = $"{row},1,\"Zqopen";
        }

        string path = folder.Write("data.csv", string.Join("\r\n", lines));

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, Skip());

        Assert.Equal(996, table.RowCount);
        Assert.Equal([51L, 52L, 401L, 1000L], data.SkippedRows.Select(r => r.Line));
    }

    // ---- The share of skipped rows ------------------------------------------------------------

    [Fact]
    public async Task ExtractAsync_SkippedShareAboveDefault_ThrowsWithCountsAndFirstReasons()
    {
        using TempFolder folder = TestData.TempFolder();
        var csv = new StringBuilder("id,x\n");
        for (int i = 1; i <= 100; i++)
        {
            csv.Append(i % 20 == 0 ? $"{i}\n" : $"{i},{i}\n");
        }

        string path = folder.Write("data.csv", csv.ToString());
        var options = new CsvSourceOptions { BadRows = BadRowHandling.Skip };

        CsvDataException ex = await FailsAsync(path, options);

        Assert.Equal(21, ex.Line);
        Assert.Contains($"{path}: 5 of 100 rows were skipped (5%), more than MaxSkippedRowShare (1%) allows", ex.Message, StringComparison.Ordinal);
        Assert.Contains("The first: line 21: the record has 1 field, but the header has 2; line 41: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("raise MaxSkippedRowShare", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_SkippedShareWithinRaisedLimit_ReadsAndCounts()
    {
        using TempFolder folder = TestData.TempFolder();
        var csv = new StringBuilder("id,x\n");
        for (int i = 1; i <= 100; i++)
        {
            csv.Append(i % 20 == 0 ? $"{i},bad\n" : $"{i},{i}\n");
        }

        string path = folder.Write("data.csv", csv.ToString());
        var options = new CsvSourceOptions { BadRows = BadRowHandling.Skip, MaxSkippedRowShare = 0.05 };
        options.ColumnTypes["x"] = ColumnKind.Number;

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, options);

        Assert.Equal(95, table.RowCount);
        Assert.Equal(5, data.SkippedRowCount);
    }

    [Fact]
    public async Task ExtractAsync_OneBadRowIn500_IsWithinTheDefaultShare()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Rows(500, badRow: 250, bad: i => $"{i}"));

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, new CsvSourceOptions { BadRows = BadRowHandling.Skip });

        Assert.Equal(499, table.RowCount);
        Assert.Equal(1, data.SkippedRowCount);
    }

    [Fact]
    public void Validate_BadLimits_ListsEveryProblem()
    {
        var options = new CsvSourceOptions { MaxSkippedRowShare = 1.5, MaxRecordLines = 0, MaxRecordBytes = -1, Encoding = null! };

        ArgumentException ex = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("MaxSkippedRowShare is 1.5; it must be between 0 and 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRecordLines is 0; it must be at least 1.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRecordBytes is -1; it must be at least 1.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Encoding cannot be null", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShareIsNaN_IsRefused()
    {
        var options = new CsvSourceOptions { MaxSkippedRowShare = double.NaN };

        ArgumentException ex = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("MaxSkippedRowShare is NaN", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Skip with the default share limit.</summary>
    private static CsvSourceOptions Skip() => new() { BadRows = BadRowHandling.Skip };

    /// <summary>A header <c>id,x,name</c> and <paramref name="count"/> rows; row <paramref name="badRow"/> is <paramref name="bad"/>'s line.</summary>
    private static string Rows(int count, int badRow, Func<int, string> bad, bool quoteNames = false)
    {
        var csv = new StringBuilder("id,x,name\n");
        for (int i = 1; i <= count; i++)
        {
            csv.Append(i == badRow ? bad(i) : string.Create(CultureInfo.InvariantCulture, $"{i},{i * 0.5},{(quoteNames ? $"\"n{i}\"" : $"n{i}")}"));
            csv.Append('\n');
        }

        return csv.ToString();
    }
}
