using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;
using static MlToolkit.Tests.Extraction.Csv.CsvTestReader;

namespace MlToolkit.Tests.Extraction.Csv;

public class CsvTypeInferenceTests
{
    [Fact]
    public void GetSchema_NumbersBooleansAndText_InfersEachKind()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "n,b,t\n1.5,true,red\n-2,false,blue\n3e2,TRUE,green\n");

        Dictionary<string, ColumnKind> kinds = Kinds(CsvDataSource.FromFile(path));

        Assert.Equal(["n", "b", "t"], kinds.Keys);
        Assert.Equal(ColumnKind.Number, kinds["n"]);
        Assert.Equal(ColumnKind.Boolean, kinds["b"]);
        Assert.Equal(ColumnKind.Text, kinds["t"]);
    }

    [Fact]
    public async Task ExtractAsync_NumbersBooleansAndText_ReadsTypedValues()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "n,b,t\n1.5,true,red\n-2,false,blue\n3e2,TRUE,green\n");

        (DataTable table, ExtractedData data) = await ReadFileAsync(path);

        Assert.Equal(3, table.RowCount);
        Assert.Equal(0, data.SkippedRowCount);
        Assert.Equal([1.5f, -2f, 300f], Numbers(table, "n"));
        Assert.Equal([true, false, true], Booleans(table, "b"));
        AssertTexts(["red", "blue", "green"], Texts(table, "t"));
    }

    [Fact]
    public async Task ExtractAsync_YesNoColumn_InfersTextAndKeepsValues()
    {
        // Only true/false make a boolean column: a yes/no label must keep its values (and its positive class).
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "flag,x\nyes,1\nno,2\nYes,3\n");
        CsvDataSource source = CsvDataSource.FromFile(path);

        Assert.Equal(ColumnKind.Text, Kinds(source)["flag"]);
        (DataTable table, _) = await ReadAsync(source);
        Assert.Equal(new string?[] { "yes", "no", "Yes" }, ((TextColumn)table.FindColumn("flag")!).Values.AsEnumerable());
    }

    [Fact]
    public async Task ExtractAsync_YesNoColumnDeclaredBoolean_ReadsBooleans()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "flag,x\nyes,1\nno,2\nYes,3\n");
        var options = new CsvSourceOptions();
        options.ColumnTypes["flag"] = ColumnKind.Boolean;
        CsvDataSource source = CsvDataSource.FromFile(path, options);

        Assert.Equal(ColumnKind.Boolean, Kinds(source)["flag"]);
        (DataTable table, _) = await ReadAsync(source);
        Assert.Equal([true, false, true], Booleans(table, "flag"));
    }

    [Fact]
    public async Task ExtractAsync_ZeroOneColumn_InfersNumber()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "c\n0\n1\n1\n");
        CsvDataSource source = CsvDataSource.FromFile(path);

        Assert.Equal(ColumnKind.Number, Kinds(source)["c"]);
        (DataTable table, _) = await ReadAsync(source);
        Assert.Equal([0f, 1f, 1f], Numbers(table, "c"));
    }

    [Fact]
    public async Task ExtractAsync_NumbersMixedWithText_InfersTextKeepingOriginalSpelling()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "c\n1.50\nabc\n2\n");
        CsvDataSource source = CsvDataSource.FromFile(path);

        Assert.Equal(ColumnKind.Text, Kinds(source)["c"]);
        (DataTable table, _) = await ReadAsync(source);
        AssertTexts(["1.50", "abc", "2"], Texts(table, "c"));
    }

    [Fact]
    public async Task ExtractAsync_BooleansMixedWithText_InfersText()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "c\ntrue\nmaybe\nfalse\n");
        CsvDataSource source = CsvDataSource.FromFile(path);

        Assert.Equal(ColumnKind.Text, Kinds(source)["c"]);
        (DataTable table, _) = await ReadAsync(source);
        AssertTexts(["true", "maybe", "false"], Texts(table, "c"));
    }

    [Fact]
    public async Task ExtractAsync_ZipCodeColumnWithoutOverride_InfersNumberAndLosesLeadingZeros()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "zip,v\n00200,1\n01234,2\n");

        (DataTable table, _) = await ReadFileAsync(path);

        Assert.Equal([200f, 1234f], Numbers(table, "zip"));
    }

    [Fact]
    public async Task ExtractAsync_ColumnTypesForcesText_KeepsLeadingZeros()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "zip,v\n00200,1\n01234,2\n");
        var options = new CsvSourceOptions();
        options.ColumnTypes["zip"] = ColumnKind.Text;
        CsvDataSource source = CsvDataSource.FromFile(path, options);

        Assert.Equal(ColumnKind.Text, Kinds(source)["zip"]);
        Assert.Equal(ColumnKind.Number, Kinds(source)["v"]);
        (DataTable table, _) = await ReadAsync(source);
        AssertTexts(["00200", "01234"], Texts(table, "zip"));
        Assert.Equal([1f, 2f], Numbers(table, "v"));
    }

    [Fact]
    public async Task ExtractAsync_ColumnTypesForcesTextOnBooleans_ReadsText()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "flag\ntrue\nfalse\n");
        var options = new CsvSourceOptions();
        options.ColumnTypes["flag"] = ColumnKind.Text;

        (DataTable table, _) = await ReadFileAsync(path, options);

        AssertTexts(["true", "false"], Texts(table, "flag"));
    }

    [Fact]
    public void GetSchema_UnknownNameInColumnTypes_ThrowsDataSchemaExceptionNamingIt()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "zip,v\n00200,1\n");
        var options = new CsvSourceOptions();
        options.ColumnTypes["zpi"] = ColumnKind.Text;
        CsvDataSource source = CsvDataSource.FromFile(path, options);

        DataSchemaException ex = Assert.Throws<DataSchemaException>(() => source.GetSchema());

        Assert.Equal("zpi", ex.Column);
        Assert.Equal(path, ex.DataSource);
        Assert.Contains("'zpi'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("zip", ex.Message.Replace("'zpi'", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_UnknownNameInColumnTypes_ThrowsDataSchemaException()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "zip,v\n00200,1\n");
        var options = new CsvSourceOptions();
        options.ColumnTypes["Zip"] = ColumnKind.Text;

        DataSchemaException ex = await Assert.ThrowsAsync<DataSchemaException>(() => ReadFileAsync(path, options));

        Assert.Equal("Zip", ex.Column);
        Assert.Equal(PipelineStage.Extraction, ex.Stage);
    }

    [Fact]
    public async Task ExtractAsync_NonNumberBeyondInferenceSample_FailsWithHintToSetColumnTypes()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "code\n1\n2\nA7\n");
        var options = new CsvSourceOptions { InferenceSampleRows = 2 };

        CsvDataException ex = await FailsAsync(path, options);

        Assert.Equal(4, ex.Line);
        Assert.Equal("code", ex.Column);
        Assert.Equal(ColumnKind.Number, ex.ExpectedKind);
        Assert.Contains("ColumnTypes[\"code\"]", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("A7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_NonNumberWithinInferenceSample_InfersText()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "code\n1\n2\nA7\n");
        var options = new CsvSourceOptions { InferenceSampleRows = 3 };

        (DataTable table, _) = await ReadFileAsync(path, options);

        AssertTexts(["1", "2", "A7"], Texts(table, "code"));
    }

    [Theory]
    [InlineData("c\nyes\n1\nno\n")]
    [InlineData("c\n1\nyes\nno\n")]
    public async Task GetSchema_BooleanWordsMixedWithDigit_InfersTextWhateverTheOrder(string content)
    {
        // CsvSourceOptions.InferenceSampleRows doc: a column is "a boolean when every one is true/false/yes/no, text otherwise"; "1" is none of them.
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", content);
        CsvDataSource source = CsvDataSource.FromFile(path);

        Assert.Equal(ColumnKind.Text, Kinds(source)["c"]);
        (DataTable table, _) = await ReadAsync(source);
        Assert.Equal(3, Texts(table, "c").Length);
    }
}
