using System.Text;
using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using static MlToolkit.Tests.Extraction.Csv.CsvTestReader;

namespace MlToolkit.Tests.Extraction.Csv;

public class CsvSourceKindsTests
{
    private const string Content = "id,score,city,active\n1,0.5,Paris,true\n2,,Lyon,false\n3,NA,,true\n4,-1.25,Nice,false\n";

    [Fact]
    public async Task FromStream_SameContent_ReadsSameValuesAsFromFile()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Content);
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Content));

        (DataTable fromFile, _) = await ReadFileAsync(path);
        (DataTable fromStream, _) = await ReadAsync(CsvDataSource.FromStream(stream, "upload.csv"));

        AssertExpectedContent(fromFile);
        AssertExpectedContent(fromStream);
    }

    [Fact]
    public async Task FromStore_SameContent_ReadsSameValuesAsFromFile()
    {
        using TempFolder folder = TestData.TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "in"));
        string path = folder.Write(Path.Combine("in", "data.csv"), Content);

        (DataTable fromFile, _) = await ReadFileAsync(path);
        (DataTable fromStore, _) = await ReadAsync(CsvDataSource.FromStore(new LocalArtifactStore(folder.Path), "in/data.csv"));

        AssertExpectedContent(fromFile);
        AssertExpectedContent(fromStore);
    }

    [Fact]
    public async Task FromStream_ExtractTwice_ReturnsSameRows()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Content));
        CsvDataSource source = CsvDataSource.FromStream(stream, "upload.csv");

        (DataTable first, _) = await ReadAsync(source);
        (DataTable second, _) = await ReadAsync(source);

        Assert.Equal(4, first.RowCount);
        Assert.Equal(4, second.RowCount);
        AssertExpectedContent(first);
        AssertExpectedContent(second);
    }

    [Fact]
    public async Task FromStream_GetSchemaThenExtract_ReadsAllRows()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Content));
        CsvDataSource source = CsvDataSource.FromStream(stream, "upload.csv");

        Dictionary<string, ColumnKind> kinds = Kinds(source);
        (DataTable table, _) = await ReadAsync(source);

        Assert.Equal(ColumnKind.Number, kinds["score"]);
        Assert.Equal(ColumnKind.Text, kinds["city"]);
        Assert.Equal(ColumnKind.Boolean, kinds["active"]);
        AssertExpectedContent(table);
    }

    [Fact]
    public async Task FromStream_ReadsFromCurrentPosition_IgnoresBytesBefore()
    {
        byte[] prefix = Encoding.UTF8.GetBytes("garbage that is not csv\"\n");
        using var stream = new MemoryStream([.. prefix, .. Encoding.UTF8.GetBytes(Content)]);
        stream.Position = prefix.Length;

        (DataTable table, _) = await ReadAsync(CsvDataSource.FromStream(stream, "upload.csv"));

        AssertExpectedContent(table);
    }

    [Fact]
    public async Task FromStream_BadValueStrict_ErrorNamesTheStreamName()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("id,x\n1,2\n2,1e40\n"));
        CsvDataSource source = CsvDataSource.FromStream(stream, "upload.csv");

        CsvDataException ex = await Assert.ThrowsAsync<CsvDataException>(() => ReadAsync(source));

        Assert.Equal("upload.csv", ex.DataSource);
        Assert.Equal(3, ex.Line);
        Assert.Equal("x", ex.Column);
        Assert.StartsWith("upload.csv", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromStore_BadValueStrict_ErrorNamesTheStoreLocation()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", "id,x\n1,2\n2,1e40\n");
        var store = new LocalArtifactStore(folder.Path);

        CsvDataException ex = await Assert.ThrowsAsync<CsvDataException>(() => ReadAsync(CsvDataSource.FromStore(store, "data.csv")));

        Assert.Equal(store.GetLocation("data.csv"), ex.DataSource);
        Assert.Equal(Path.GetFullPath(path), ex.DataSource);
        Assert.Equal(3, ex.Line);
        Assert.Equal("x", ex.Column);
        Assert.Equal(ColumnKind.Number, ex.ExpectedKind);
    }

    [Fact]
    public async Task FromStore_LenientOptions_AreApplied()
    {
        using TempFolder folder = TestData.TempFolder();
        folder.Write("data.csv", "id,x\n1,2\n2,1e40\n3,4\n");
        var store = new LocalArtifactStore(folder.Path);

        (DataTable table, ExtractedData data) = await ReadAsync(CsvDataSource.FromStore(store, "data.csv", Lenient()));

        Assert.Equal([1f, 3f], Numbers(table, "id"));
        Assert.Equal(1, data.SkippedRowCount);
        Assert.Equal(3, Assert.Single(data.SkippedRows).Line);
    }

    [Fact]
    public void FromFile_RelativePath_NameIsTheFullPath()
    {
        CsvDataSource source = CsvDataSource.FromFile("relative-data.csv");

        Assert.Equal(Path.GetFullPath("relative-data.csv"), source.Name);
        Assert.True(Path.IsPathRooted(source.Name));
    }

    [Fact]
    public async Task ExtractAsync_RowsReadProgress_ReceivesFinalRowCount()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Content);
        var progress = new RecordingProgress();
        var context = new ExtractionContext(new Microsoft.ML.MLContext(0), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance) { RowsRead = progress };

        ExtractedData data = await CsvDataSource.FromFile(path).ExtractAsync(context, TestContext.Current.CancellationToken);

        Assert.Equal(4, ((DataTable)data.Data).RowCount);
        Assert.Equal(4L, progress.Values[^1]);
    }

    [Fact]
    public async Task ExtractAsync_PreCancelledTokenOnFile_ThrowsOperationCanceled()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", Content);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        OperationCanceledException ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => CsvDataSource.FromFile(path).ExtractAsync(ExtractionContext.Standalone(), cts.Token));

        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    [Fact]
    public async Task ExtractAsync_PreCancelledTokenOnStream_ThrowsOperationCanceledAndStreamIsStillReadable()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Content));
        CsvDataSource source = CsvDataSource.FromStream(stream, "upload.csv");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        OperationCanceledException ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => source.ExtractAsync(ExtractionContext.Standalone(), cts.Token));
        (DataTable table, _) = await ReadAsync(source);

        Assert.Equal(cts.Token, ex.CancellationToken);
        AssertExpectedContent(table);
    }

    [Fact]
    public async Task ExtractAsync_PreCancelledTokenOnStore_ThrowsOperationCanceled()
    {
        using TempFolder folder = TestData.TempFolder();
        folder.Write("data.csv", Content);
        CsvStoreDataSource source = CsvDataSource.FromStore(new LocalArtifactStore(folder.Path), "data.csv");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        OperationCanceledException ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => source.ExtractAsync(ExtractionContext.Standalone(), cts.Token));

        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    [Fact]
    public async Task ExtractAsync_TokenCancelledDuringRead_ThrowsOperationCanceled()
    {
        using TempFolder folder = TestData.TempFolder();
        var csv = new StringBuilder("x,y\n");
        for (int i = 0; i < 40_000; i++)
        {
            csv.Append(i).Append(",a\n");
        }

        string path = folder.Write("big.csv", csv.ToString());
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var progress = new RecordingProgress(cts.Cancel);
        var context = new ExtractionContext(new Microsoft.ML.MLContext(0), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance) { RowsRead = progress };

        OperationCanceledException ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => CsvDataSource.FromFile(path).ExtractAsync(context, cts.Token));

        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.DoesNotContain(40_000L, progress.Values);
    }

    [Fact]
    public void Build_MisspeltLabelInCsv_ThrowsValidationNamingColumnAndSuggestingNearName()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", TestData.BinaryCsv(rows: 50));

        PipelineValidationException ex = Assert.Throws<PipelineValidationException>(
            () => new PipelineBuilder(1).FromCsv(path).Label("lable").Train(Trainers.Binary.LightGbm()).Build());

        string problem = Assert.Single(ex.Problems, p => p.Contains("'lable'", StringComparison.Ordinal));
        Assert.Contains("did you mean 'label'", problem, StringComparison.Ordinal);
        Assert.Equal(path, ex.DataSource);
    }

    [Fact]
    public void Build_UnknownLabelInCsv_ThrowsValidationListingTheColumns()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", TestData.BinaryCsv(rows: 50));

        PipelineValidationException ex = Assert.Throws<PipelineValidationException>(
            () => new PipelineBuilder(1).FromCsv(path).Label("typo").Train(Trainers.Binary.LightGbm()).Build());

        string problem = Assert.Single(ex.Problems, p => p.Contains("'typo'", StringComparison.Ordinal));
        Assert.Contains("x1, x2, color, flag, label", problem, StringComparison.Ordinal);
        Assert.Equal(PipelineStage.Build, ex.Stage);
    }

    [Fact]
    public void Build_CsvWithUnknownColumnTypesName_ReportsSourceProblem()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", TestData.BinaryCsv(rows: 50));
        var options = new CsvSourceOptions();
        options.ColumnTypes["colour"] = ColumnKind.Text;

        PipelineValidationException ex = Assert.Throws<PipelineValidationException>(
            () => new PipelineBuilder(1).FromCsv(path, options).Label("label").Train(Trainers.Binary.LightGbm()).Build());

        Assert.Contains(ex.Problems, p => p.Contains("'colour'", StringComparison.Ordinal));
    }

    private static void AssertExpectedContent(DataTable table)
    {
        Assert.Equal(["id", "score", "city", "active"], table.Columns.Select(c => c.Name));
        Assert.Equal([1f, 2f, 3f, 4f], Numbers(table, "id"));
        Assert.Equal([0.5f, float.NaN, float.NaN, -1.25f], Numbers(table, "score"));
        AssertTexts(["Paris", "Lyon", null, "Nice"], Texts(table, "city"));
        Assert.Equal([true, false, true, false], Booleans(table, "active"));
    }

    private sealed class RecordingProgress(Action? onReport = null) : IProgress<long>
    {
        public List<long> Values { get; } = [];

        public void Report(long value)
        {
            Values.Add(value);
            onReport?.Invoke();
        }
    }
}
