using System.Text;
using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;
using static MlToolkit.Tests.Extraction.Csv.CsvTestReader;

namespace MlToolkit.Tests.Hostile;

/// <summary>A file read with the wrong separator says so, instead of giving a one-column table or an unclear error.</summary>
public class CsvHostileSeparatorTests
{
    [Theory]
    [InlineData(';', "';'", "Separator = ';'")]
    [InlineData('\t', "tab", "Separator = '\\t'")]
    [InlineData('|', "'|'", "Separator = '|'")]
    public async Task ExtractAsync_FileSeparatedByAnotherCharacter_ThrowsSuggestingTheSeparator(char separator, string shown, string advice)
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", $"id{separator}price{separator}city\n1{separator}0,5{separator}Paris\n2{separator}1,5{separator}Lyon\n");

        CsvDataException ex = await FailsAsync(path);

        Assert.Equal(1, ex.Line);
        Assert.Contains($"{path}, line 1: the header is a single column, but it holds {shown} 2 times and no ',': the file looks {shown}-separated.", ex.Message, StringComparison.Ordinal);
        Assert.Contains(advice, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Separator = null to detect it", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSchema_SemicolonFileReadWithComma_Throws()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a;b\n1;2\n");

        CsvDataException ex = Assert.Throws<CsvDataException>(() => CsvDataSource.FromFile(path).GetSchema());

        Assert.Contains("Separator = ';'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_SemicolonFileLenient_ThrowsToo()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a;b\n1;2\n");

        CsvDataException ex = await FailsAsync(path, new CsvSourceOptions { BadRows = BadRowHandling.Skip });

        Assert.Contains("looks ';'-separated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_CommaFileReadWithSemicolon_SuggestsComma()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a,b,c\n1,2,3\n");

        CsvDataException ex = await FailsAsync(path, new CsvSourceOptions { Separator = ';' });

        Assert.Contains("holds ',' 2 times and no ';'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Separator = ','", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_SemicolonFileWithoutHeader_ThrowsAtTheFirstRecordWithoutItsValue()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "Zq1;2;3\n4;5;6\n");

        CsvDataException ex = await FailsAsync(path, new CsvSourceOptions { HasHeader = false });

        Assert.Equal(1, ex.Line);
        Assert.Contains("line 1: the first record is a single column, but it holds ';' 2 times", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Zq1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_SemicolonFileWithSeparatorDetection_Reads()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "a;b\n1;2\n3;4\n");

        (DataTable table, _) = await ReadFileAsync(path, new CsvSourceOptions { Separator = null });

        Assert.Equal([1f, 3f], Numbers(table, "a"));
        Assert.Equal([2f, 4f], Numbers(table, "b"));
    }

    [Fact]
    public async Task ExtractAsync_RealSingleColumnFile_Reads()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "amount\n1.5\n2\n");

        (DataTable table, _) = await ReadFileAsync(path);

        Assert.Equal([1.5f, 2f], Numbers(table, "amount"));
    }

    [Fact]
    public async Task ExtractAsync_SingleColumnWithQuotedNameHoldingSemicolon_Reads()
    {
        using TempFolder folder = TestData.TempFolder();
        byte[] bytes = [.. Encoding.UTF8.GetPreamble(), .. "\"price; EUR\"\n1.5\n2\n"u8];
        string path = folder.WriteBytes("data.csv", bytes);

        (DataTable table, _) = await ReadFileAsync(path);

        Assert.Equal([1.5f, 2f], Numbers(table, "price; EUR"));
    }
}
