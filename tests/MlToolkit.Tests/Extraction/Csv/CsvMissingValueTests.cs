using MlToolkit.Data;
using MlToolkit.Extraction.Csv;
using static MlToolkit.Tests.Extraction.Csv.CsvTestReader;

namespace MlToolkit.Tests.Extraction.Csv;

public class CsvMissingValueTests
{
    [Fact]
    public async Task ExtractAsync_EmptyNumericField_ReadsNaNNotZero()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x,y\n1,a\n,b\n3,c\n");

        (DataTable table, _) = await ReadFileAsync(path);

        Assert.Equal([1f, float.NaN, 3f], Numbers(table, "x"));
        Assert.NotEqual(0f, Numbers(table, "x")[1]);
    }

    [Fact]
    public async Task ExtractAsync_QuotedEmptyNumericField_ReadsNaN()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x,y\n1,a\n\"\",b\n3,c\n");

        (DataTable table, _) = await ReadFileAsync(path);

        Assert.Equal([1f, float.NaN, 3f], Numbers(table, "x"));
    }

    [Fact]
    public async Task ExtractAsync_QuestionMarkAndNaTokens_ReadNaN()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x\n1.5\n?\nNA\n4\n");

        (DataTable table, _) = await ReadFileAsync(path);

        Assert.Equal([1.5f, float.NaN, float.NaN, 4f], Numbers(table, "x"));
    }

    [Fact]
    public async Task ExtractAsync_MissingTokensWithSurroundingSpaces_ReadNaN()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x,y\n1, NA \n ? ,2\n3,4\n");

        (DataTable table, _) = await ReadFileAsync(path);

        Assert.Equal([1f, float.NaN, 3f], Numbers(table, "x"));
        Assert.Equal([float.NaN, 2f, 4f], Numbers(table, "y"));
    }

    [Fact]
    public async Task ExtractAsync_OnlyMissingTokensInColumn_ColumnIsNumberOfNaN()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x,y\n,1\nNA,2\n?,3\n");
        CsvDataSource source = CsvDataSource.FromFile(path);

        Assert.Equal(ColumnKind.Number, Kinds(source)["x"]);
        (DataTable table, _) = await ReadAsync(source);
        Assert.Equal([float.NaN, float.NaN, float.NaN], Numbers(table, "x"));
    }

    [Fact]
    public async Task ExtractAsync_CustomMissingValueMinus999_ReadsNaN()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x,y\n5,a\n-999,b\n-998,c\n");
        var options = new CsvSourceOptions();
        options.MissingValues.Add("-999");

        (DataTable table, _) = await ReadFileAsync(path, options);

        Assert.Equal([5f, float.NaN, -998f], Numbers(table, "x"));
    }

    [Fact]
    public async Task ExtractAsync_CustomMissingValueKeepsDefaults_QuestionMarkStillNaN()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x\n5\n-999\n?\nNA\n\n7\n");
        var options = new CsvSourceOptions();
        options.MissingValues.Add("-999");

        (DataTable table, _) = await ReadFileAsync(path, options);

        Assert.Equal([5f, float.NaN, float.NaN, float.NaN, 7f], Numbers(table, "x"));
    }

    [Fact]
    public async Task ExtractAsync_Minus999WithoutCustomMissingValue_ReadsTheNumber()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x\n5\n-999\n");

        (DataTable table, _) = await ReadFileAsync(path);

        Assert.Equal([5f, -999f], Numbers(table, "x"));
    }

    [Fact]
    public async Task ExtractAsync_CustomTextMissingValue_ReadsNaNInNumberColumn()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "x\n1\nNULL\n3\n");
        var options = new CsvSourceOptions();
        options.MissingValues.Add("NULL");

        (DataTable table, _) = await ReadFileAsync(path, options);

        Assert.Equal([1f, float.NaN, 3f], Numbers(table, "x"));
    }

    [Fact]
    public async Task ExtractAsync_MissingText_IsNull()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "id,name\n1,alice\n2,\n3,NA\n4,?\n5,bob\n");

        (DataTable table, _) = await ReadFileAsync(path);

        AssertTexts(["alice", null, null, null, "bob"], Texts(table, "name"));
        Assert.Equal([1f, 2f, 3f, 4f, 5f], Numbers(table, "id"));
    }

    [Fact]
    public async Task ExtractAsync_MissingTextInForcedTextColumn_IsNullNotEmptyString()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "code,v\n007,1\n,2\n");
        var options = new CsvSourceOptions();
        options.ColumnTypes["code"] = ColumnKind.Text;

        (DataTable table, _) = await ReadFileAsync(path, options);

        AssertTexts(["007", null], Texts(table, "code"));
    }
}
