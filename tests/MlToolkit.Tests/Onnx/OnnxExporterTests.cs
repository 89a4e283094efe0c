using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;
using MlToolkit.Onnx;
using MlToolkit.Pipeline;
using MlToolkit.Preparation;
using MlToolkit.Preparation.Imputation;
using MlToolkit.Storage;
using MlToolkit.Training;

namespace MlToolkit.Tests.Onnx;

public class OnnxExporterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(PipelineResult Result, DataTable Sample)> TrainAsync(TempFolder folder, ITrainer trainer, Action<PreparationBuilder> prepare)
    {
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 400));
        PipelineResult result = await new PipelineBuilder(seed: 11)
            .FromCsv(csv).Label("label")
            .Prepare(prepare)
            .Train(trainer)
            .Build().RunAsync(cancellationToken: Ct);
        CsvDataSource source = CsvDataSource.FromFile(csv);
        DataTable all = DataTable.FromDataView((await source.ExtractAsync(ExtractionContext.Standalone(), Ct)).Data, source.Name, Ct);
        return (result, all.Subset(Enumerable.Range(0, 60).ToArray()).WithoutColumns("label"));
    }

    [Theory]
    [InlineData("sdca")]
    [InlineData("lbfgs")]
    [InlineData("lightgbm")]
    [InlineData("fasttree")]
    public async Task Export_MeanImputeOneHotPipelines_OnnxRuntimeReproducesMlNet(string trainer)
    {
        using TempFolder folder = TestData.TempFolder();
        (PipelineResult result, DataTable sample) = await TrainAsync(folder, Trainers.ByName(MlTask.BinaryClassification, trainer), p => p.ImputeMissing().OneHotEncode("color"));
        using var onnx = new MemoryStream();

        OnnxExportResult export = OnnxExporter.Export(result.Model.MLContext, result.Model.Transformer, sample, onnx);

        Assert.Equal(60, export.RowsCompared);
        Assert.Contains("Probability", export.ComparedColumns);
        Assert.InRange(export.MaxAbsoluteDifference, 0, 1e-4);
        Assert.Equal(onnx.Length, export.Bytes);
        Assert.True(onnx.Length > 100);
    }

    [Fact]
    public async Task Export_TextFeaturizing_ThrowsNamingTheStepAndWritesNothing()
    {
        using TempFolder folder = TestData.TempFolder();
        (PipelineResult result, DataTable sample) = await TrainAsync(folder, Trainers.Binary.SdcaLogisticRegression(), p => p.ImputeMissing().FeaturizeText("color"));
        using var onnx = new MemoryStream();

        var ex = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(result.Model.MLContext, result.Model.Transformer, sample, onnx));

        Assert.NotNull(ex.FailingStep);
        Assert.Contains(ex.FailingStep!, ex.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be converted to ONNX", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, onnx.Length);
    }

    [Fact]
    public async Task Export_MedianImputation_OnnxRuntimeReproducesMlNetOnMissingValues()
    {
        // Median imputation used to be an expression per column, which ML.NET converts into a graph that fails on NaN input
        // ("Binarizer: input is NaN"); it is now ML.NET's ReplaceMissingValues holding the medians, which converts faithfully.
        using TempFolder folder = TestData.TempFolder();
        (PipelineResult result, DataTable sample) = await TrainAsync(folder, Trainers.Binary.SdcaLogisticRegression(), p => p.ImputeMissing(ImputationStrategy.Median).OneHotEncode("color"));
        Assert.Contains(((NumberColumn)sample.FindColumn("x2")!).Values.Take(60), float.IsNaN);
        using var onnx = new MemoryStream();

        OnnxExportResult export = OnnxExporter.Export(result.Model.MLContext, result.Model.Transformer, sample, onnx);

        Assert.Equal(60, export.RowsCompared);
        Assert.Contains("Probability", export.ComparedColumns);
        Assert.InRange(export.MaxAbsoluteDifference, 0, 1e-4);
        Assert.Equal(onnx.Length, export.Bytes);
    }

    [Fact]
    public async Task Export_MostFrequentImputation_ParityCheckRefusesAGraphThatFailsOnMissingValues()
    {
        // ML.NET converts the expression transform behind most-frequent imputation of text, but the ONNX graph fails on the
        // sample's NaN input ("Binarizer: input is NaN"): only running it on sample rows with missing values shows it.
        using TempFolder folder = TestData.TempFolder();
        (PipelineResult result, DataTable sample) = await TrainAsync(folder, Trainers.Binary.SdcaLogisticRegression(), p => p.ImputeMissing(ImputationStrategy.MostFrequent).OneHotEncode("color"));
        Assert.Contains(((NumberColumn)sample.FindColumn("x2")!).Values.Take(60), float.IsNaN);
        using var onnx = new MemoryStream();

        var ex = Assert.Throws<OnnxExportException>(() => OnnxExporter.Export(result.Model.MLContext, result.Model.Transformer, sample, onnx));

        Assert.Contains("ONNX Runtime could not run the exported model", ex.Message, StringComparison.Ordinal);
        Assert.Contains("NaN", ex.Message, StringComparison.Ordinal);
        Assert.Equal(PipelineStage.Deployment, ex.Stage);
        Assert.Equal(0, onnx.Length);
    }

    [Fact]
    public async Task ExportAsync_ToStore_WritesTheSameBytesAtomically()
    {
        using TempFolder folder = TestData.TempFolder();
        (PipelineResult result, DataTable sample) = await TrainAsync(folder, Trainers.Binary.SdcaLogisticRegression(), p => p.ImputeMissing().OneHotEncode("color"));
        var store = new LocalArtifactStore(folder.Path);

        OnnxExportResult export = await OnnxExporter.ExportAsync(result.Model.MLContext, result.Model.Transformer, sample, store, "churn/model.onnx", cancellationToken: Ct);

        Assert.Equal(export.Bytes, new FileInfo(store.GetPath("churn/model.onnx")).Length);
    }
}
