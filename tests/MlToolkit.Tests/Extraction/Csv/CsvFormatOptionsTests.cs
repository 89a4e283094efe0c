using System.Globalization;
using MlToolkit.Data;
using MlToolkit.Extraction.Csv;
using static MlToolkit.Tests.Extraction.Csv.CsvTestReader;

namespace MlToolkit.Tests.Extraction.Csv;

public class CsvFormatOptionsTests
{
    [Fact]
    public async Task ExtractAsync_NoHeader_NamesColumnsColumn1ToN()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "1,a,true\n2,b,false\n");
        var options = new CsvSourceOptions { HasHeader = false };

        (DataTable table, _) = await ReadFileAsync(path, options);

        Assert.Equal(["Column1", "Column2", "Column3"], table.Columns.Select(c => c.Name));
        Assert.Equal(2, table.RowCount);
        Assert.Equal([1f, 2f], Numbers(table, "Column1"));
        AssertTexts(["a", "b"], Texts(table, "Column2"));
        Assert.Equal([true, false], Booleans(table, "Column3"));
    }

    [Fact]
    public async Task ExtractAsync_NoHeaderWithColumnNames_UsesGivenNames()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "1,a\n2,b\n3,c\n");
        var options = new CsvSourceOptions { HasHeader = false };
        options.ColumnNames.Add("id");
        options.ColumnNames.Add("name");

        (DataTable table, _) = await ReadFileAsync(path, options);

        Assert.Equal(["id", "name"], table.Columns.Select(c => c.Name));
        Assert.Equal([1f, 2f, 3f], Numbers(table, "id"));
        AssertTexts(["a", "b", "c"], Texts(table, "name"));
    }

    [Fact]
    public async Task ExtractAsync_NoHeaderColumnNamesCountDiffersFromFields_ThrowsNamingLine1()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "1,a\n2,b\n");
        var options = new CsvSourceOptions { HasHeader = false };
        options.ColumnNames.Add("id");
        options.ColumnNames.Add("name");
        options.ColumnNames.Add("extra");

        CsvDataException ex = await FailsAsync(path, options);

        Assert.Equal(1, ex.Line);
        Assert.Equal(path, ex.DataSource);
    }

    [Fact]
    public async Task ExtractAsync_WithHeader_FirstLineIsNotData()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "10,20\n1,2\n3,4\n");

        (DataTable table, _) = await ReadFileAsync(path);

        Assert.Equal(["10", "20"], table.Columns.Select(c => c.Name));
        Assert.Equal([1f, 3f], Numbers(table, "10"));
        Assert.Equal([2f, 4f], Numbers(table, "20"));
    }

    [Fact]
    public async Task ExtractAsync_SemicolonSeparator_SplitsOnSemicolonOnly()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x;note\n1;a,b\n2;c\n");
        var options = new CsvSourceOptions { Separator = ';' };

        (DataTable table, _) = await ReadFileAsync(path, options);

        Assert.Equal(["x", "note"], table.Columns.Select(c => c.Name));
        Assert.Equal([1f, 2f], Numbers(table, "x"));
        AssertTexts(["a,b", "c"], Texts(table, "note"));
    }

    [Fact]
    public async Task ExtractAsync_TabSeparator_SplitsOnTabOnly()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.tsv", "x\tnote\n1.5\ta,b;c\n2\td\n");
        var options = new CsvSourceOptions { Separator = '\t' };

        (DataTable table, _) = await ReadFileAsync(path, options);

        Assert.Equal(["x", "note"], table.Columns.Select(c => c.Name));
        Assert.Equal([1.5f, 2f], Numbers(table, "x"));
        AssertTexts(["a,b;c", "d"], Texts(table, "note"));
    }

    [Fact]
    public async Task ExtractAsync_SeparatorNull_DetectsSemicolon()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x;y\n1;2\n3;4\n");
        var options = new CsvSourceOptions { Separator = null };

        (DataTable table, _) = await ReadFileAsync(path, options);

        Assert.Equal([1f, 3f], Numbers(table, "x"));
        Assert.Equal([2f, 4f], Numbers(table, "y"));
    }

    [Fact]
    public async Task ExtractAsync_DefaultTrimWhitespace_TrimsNumbersAndText()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x,name\n 1.5 ,  alice \n2\t,bob\n");

        (DataTable table, _) = await ReadFileAsync(path);

        Assert.Equal([1.5f, 2f], Numbers(table, "x"));
        AssertTexts(["alice", "bob"], Texts(table, "name"));
    }

    [Fact]
    public async Task ExtractAsync_TrimWhitespaceFalse_KeepsSpacesAroundText()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x,name\n1, alice \n2,bob\n");
        var options = new CsvSourceOptions { TrimWhitespace = false };

        (DataTable table, _) = await ReadFileAsync(path, options);

        Assert.Equal([1f, 2f], Numbers(table, "x"));
        AssertTexts([" alice ", "bob"], Texts(table, "name"));
    }

    [Fact]
    public async Task ExtractAsync_NoHeaderBadValue_LineCountsFromFirstRecord()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "1,a\n2,b\nx,c\n");
        var options = new CsvSourceOptions { HasHeader = false };
        options.ColumnTypes["Column1"] = ColumnKind.Number;

        CsvDataException ex = await FailsAsync(path, options);

        Assert.Equal(3, ex.Line);
        Assert.Equal("Column1", ex.Column);
        Assert.Equal(ColumnKind.Number, ex.ExpectedKind);
    }

    [Fact]
    public async Task ExtractAsync_GermanCultureWithThousandsAllowed_ReadsDotThousandsAndCommaDecimals()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x;y\n1.000,5;a\n2,25;b\n");
        var options = new CsvSourceOptions { Separator = ';', Culture = new CultureInfo("de-DE"), AllowThousandsSeparators = true };

        (DataTable table, _) = await ReadFileAsync(path, options);

        Assert.Equal([1000.5f, 2.25f], Numbers(table, "x"));
    }

    [Fact]
    public async Task ExtractAsync_GermanCulture_ReadsDecimalComma()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x;y\n0,5;1\n1,25;-2,75\n");
        var options = new CsvSourceOptions { Separator = ';', Culture = new CultureInfo("de-DE") };

        (DataTable table, _) = await ReadFileAsync(path, options);

        Assert.Equal([0.5f, 1.25f], Numbers(table, "x"));
        Assert.Equal([1f, -2.75f], Numbers(table, "y"));
    }

    [Fact]
    public async Task ExtractAsync_GermanCultureQuotedWithCommaSeparator_ReadsDecimalComma()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x,y\n\"0,5\",a\n\"3,0\",b\n");
        var options = new CsvSourceOptions { Culture = new CultureInfo("de-DE") };

        (DataTable table, _) = await ReadFileAsync(path, options);

        Assert.Equal([0.5f, 3f], Numbers(table, "x"));
    }

    [Fact]
    public async Task ExtractAsync_InvariantCultureQuotedDecimalComma_ThrowsMentioningGroupSeparator()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x,y\n\"0,5\",a\n");

        CsvDataException ex = await FailsAsync(path);

        Assert.Equal(path, ex.DataSource);
        Assert.Equal(2, ex.Line);
        Assert.Equal("x", ex.Column);
        Assert.Equal(ColumnKind.Number, ex.ExpectedKind);
        Assert.Contains("group separator", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AllowThousandsSeparators", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("0,5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_InvariantCultureQuotedThousands_ThrowsInsteadOfReadingThousand()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x\n5\n\"1,000\"\n");

        CsvDataException ex = await FailsAsync(path);

        Assert.Equal(3, ex.Line);
        Assert.Equal(ColumnKind.Number, ex.ExpectedKind);
        Assert.Contains("group separator", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_AllowThousandsSeparators_ReadsThousands()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x\n5\n\"1,000\"\n\"2,500.5\"\n");
        var options = new CsvSourceOptions { AllowThousandsSeparators = true };

        (DataTable table, _) = await ReadFileAsync(path, options);

        Assert.Equal([5f, 1000f, 2500.5f], Numbers(table, "x"));
    }

    [Fact]
    public async Task ExtractAsync_GermanCultureUnquotedDotThousands_ThrowsMentioningGroupSeparator()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x;y\n1.5;a\n");
        var options = new CsvSourceOptions { Separator = ';', Culture = new CultureInfo("de-DE") };

        CsvDataException ex = await FailsAsync(path, options);

        Assert.Equal(2, ex.Line);
        Assert.Equal("x", ex.Column);
        Assert.Contains("group separator '.'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_InvalidOptions_ThrowsArgumentExceptionListingEveryProblem()
    {
        var options = new CsvSourceOptions { Separator = '"', InferenceSampleRows = 0 };

        ArgumentException ex = Assert.Throws<ArgumentException>(() => CsvDataSource.FromFile("data.csv", options));

        Assert.Contains("Separator", ex.Message, StringComparison.Ordinal);
        Assert.Contains("InferenceSampleRows is 0", ex.Message, StringComparison.Ordinal);
    }
}
