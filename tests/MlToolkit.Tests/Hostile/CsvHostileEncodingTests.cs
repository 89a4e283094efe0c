using System.Text;
using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;
using MlToolkit.Storage;
using static MlToolkit.Tests.Extraction.Csv.CsvTestReader;

namespace MlToolkit.Tests.Hostile;

/// <summary>
/// A Latin-1 file read as UTF-8 must not turn distinct names into the same U+FFFD-spelled value: the bytes are refused
/// with line, column and byte offset, and the <see cref="CsvSourceOptions.Encoding"/> option reads the file right.
/// </summary>
public class CsvHostileEncodingTests
{
    // "Müller" and "Mäller" in Latin-1: ü is 0xFC and ä is 0xE4, neither valid on its own in UTF-8.
    private static readonly byte[] Latin1 = Encoding.Latin1.GetBytes("id,name,x\n1,M\u00fcller,1.5\n2,M\u00e4ller,2.5\n3,Smith,3.5\n");

    // The offset of ü: "id,name,x\n" is 10 bytes, then "1,M" is 3.
    private const long FirstBadByte = 13;

    [Fact]
    public async Task ExtractAsync_Latin1FileReadAsUtf8_ThrowsNamingLineColumnByteOffsetAndEncoding()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.WriteBytes("names.csv", Latin1);

        CsvDataException ex = await FailsAsync(path);

        AssertLatin1Error(ex, path);
    }

    [Fact]
    public void GetSchema_Latin1FileReadAsUtf8_ThrowsBeforeAnyRowIsUsed()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.WriteBytes("names.csv", Latin1);

        CsvDataException ex = Assert.Throws<CsvDataException>(() => CsvDataSource.FromFile(path).GetSchema());

        AssertLatin1Error(ex, path);
    }

    [Fact]
    public async Task FromStream_Latin1ReadAsUtf8_Throws()
    {
        using var stream = new MemoryStream(Latin1);

        CsvDataException ex = await Assert.ThrowsAsync<CsvDataException>(() => ReadAsync(CsvDataSource.FromStream(stream, "upload.csv")));

        AssertLatin1Error(ex, "upload.csv");
    }

    [Fact]
    public async Task FromStore_Latin1ReadAsUtf8_Throws()
    {
        using TempFolder folder = TestData.TempFolder();
        folder.WriteBytes("names.csv", Latin1);
        var store = new LocalArtifactStore(folder.Path);

        CsvDataException ex = await Assert.ThrowsAsync<CsvDataException>(() => ReadAsync(CsvDataSource.FromStore(store, "names.csv")));

        AssertLatin1Error(ex, store.GetLocation("names.csv"));
    }

    [Fact]
    public async Task ExtractAsync_Latin1WithEncodingOption_ReadsDistinctNames()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.WriteBytes("names.csv", Latin1);

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, new CsvSourceOptions { Encoding = Encoding.Latin1 });

        AssertTexts(["Müller", "Mäller", "Smith"], Texts(table, "name"));
        Assert.Equal([1.5f, 2.5f, 3.5f], Numbers(table, "x"));
        Assert.Equal(0, data.SkippedRowCount);
    }

    [Fact]
    public async Task FromStreamAndStore_Latin1WithEncodingOption_ReadDistinctNames()
    {
        using TempFolder folder = TestData.TempFolder();
        folder.WriteBytes("names.csv", Latin1);
        using var stream = new MemoryStream(Latin1);
        var options = new CsvSourceOptions { Encoding = Encoding.Latin1 };

        (DataTable fromStream, _) = await ReadAsync(CsvDataSource.FromStream(stream, "upload.csv", options));
        (DataTable fromStore, _) = await ReadAsync(CsvDataSource.FromStore(new LocalArtifactStore(folder.Path), "names.csv", options));

        AssertTexts(["Müller", "Mäller", "Smith"], Texts(fromStream, "name"));
        AssertTexts(["Müller", "Mäller", "Smith"], Texts(fromStore, "name"));
    }

    [Fact]
    public async Task ExtractAsync_Windows1252WithRegisteredProvider_ReadsEuroSign()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Encoding windows1252 = Encoding.GetEncoding(1252);
        using TempFolder folder = TestData.TempFolder();
        string path = folder.WriteBytes("prices.csv", windows1252.GetBytes("item,price\n\u20ac coin,1\nMüsli,2\n"));

        (DataTable table, _) = await ReadFileAsync(path, new CsvSourceOptions { Encoding = windows1252 });

        AssertTexts(["€ coin", "Müsli"], Texts(table, "item"));
    }

    [Fact]
    public async Task ExtractAsync_Latin1WithEncodingAndUnterminatedQuoteLenient_ResumesAtNextLine()
    {
        // Transcoded input restarts at the right line too.
        var csv = new StringBuilder("id,name\n");
        for (int i = 1; i <= 300; i++)
        {
            csv.Append(i == 7 ? "7,\"Zqopen M\u00fcller\n" : $"{i},M\u00fcller{i}\n");
        }

        using TempFolder folder = TestData.TempFolder();
        string path = folder.WriteBytes("names.csv", Encoding.Latin1.GetBytes(csv.ToString()));

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, new CsvSourceOptions { Encoding = Encoding.Latin1, BadRows = BadRowHandling.Skip });

        Assert.Equal(299, table.RowCount);
        Assert.Equal("Müller8", Texts(table, "name")[6]);
        Assert.Equal(8, Assert.Single(data.SkippedRows).Line);
    }

    [Fact]
    public async Task ExtractAsync_Latin1HeaderReadAsUtf8_ThrowsAtLineOneWithByteOffset()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.WriteBytes("names.csv", Encoding.Latin1.GetBytes("id,gr\u00f6\u00dfe\n1,2\n"));

        CsvDataException ex = await FailsAsync(path, new CsvSourceOptions { BadRows = BadRowHandling.Skip });

        Assert.Equal(1, ex.Line);
        Assert.Equal(5, ex.ByteOffset);
        Assert.Contains($"{path}, line 1: the header holds bytes that are not valid UTF-8 (at byte offset 5, in the name of column 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Encoding", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_InvalidUtf8InANumberColumn_NamesTheEncodingNotTheNumber()
    {
        using TempFolder folder = TestData.TempFolder();
        byte[] bytes = [.. "id,x\n1,2\n2,3"u8, 0xB2, .. "\n"u8];
        string path = folder.WriteBytes("data.csv", bytes);
        var options = new CsvSourceOptions();
        options.ColumnTypes["x"] = ColumnKind.Number;

        CsvDataException ex = await FailsAsync(path, options);

        Assert.Equal(3, ex.Line);
        Assert.Equal("x", ex.Column);
        Assert.Equal(12, ex.ByteOffset);
        Assert.Contains("line 3: column 'x' holds bytes that are not valid UTF-8 (at byte offset 12)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_InvalidUtf8RowLenient_SkippedWithTheEncodingReason()
    {
        var csv = new StringBuilder("id,name\n");
        for (int i = 1; i <= 200; i++)
        {
            csv.Append(i == 50 ? "50,M\u00fcller\n" : $"{i},n{i}\n");
        }

        // Only row 50 is Latin-1: the rest is ASCII, so the file is otherwise valid UTF-8.
        using TempFolder folder = TestData.TempFolder();
        string path = folder.WriteBytes("names.csv", Encoding.Latin1.GetBytes(csv.ToString()));

        (DataTable table, ExtractedData data) = await ReadFileAsync(path, new CsvSourceOptions { BadRows = BadRowHandling.Skip });

        Assert.Equal(199, table.RowCount);
        SkippedRow skipped = Assert.Single(data.SkippedRows);
        Assert.Equal(51, skipped.Line);
        Assert.Equal("name", skipped.Column);
        Assert.Contains("not valid UTF-8", skipped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtractAsync_ValidUtf8ReplacementCharacter_IsReadAsText()
    {
        // A real U+FFFD (EF BF BD) is valid UTF-8: only bytes that do not decode are refused.
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "id,na\uFFFDme\n1,M\uFFFDller\n");

        (DataTable table, _) = await ReadFileAsync(path);

        AssertTexts(["M\uFFFDller"], Texts(table, "na\uFFFDme"));
    }

    [Fact]
    public async Task ExtractAsync_Utf16FileWithEncodingLatin1_ByteOrderMarkWins()
    {
        using TempFolder folder = TestData.TempFolder();
        byte[] bytes = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("id,city\n1,Zürich\n")];
        string path = folder.WriteBytes("utf16.csv", bytes);

        (DataTable table, _) = await ReadFileAsync(path, new CsvSourceOptions { Encoding = Encoding.Latin1 });

        AssertTexts(["Zürich"], Texts(table, "city"));
    }

    private static void AssertLatin1Error(CsvDataException ex, string source)
    {
        Assert.Equal(source, ex.DataSource);
        Assert.Equal(2, ex.Line);
        Assert.Equal("name", ex.Column);
        Assert.Equal(FirstBadByte, ex.ByteOffset);
        Assert.Contains($"{source}, line 2: column 'name' holds bytes that are not valid UTF-8 (at byte offset {FirstBadByte})", ex.Message, StringComparison.Ordinal);
        Assert.Contains("set Encoding to it (Encoding = Encoding.Latin1)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ller", ex.Message, StringComparison.Ordinal);
    }
}
