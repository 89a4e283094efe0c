using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Extraction.Csv;
using MlToolkit.Pipeline;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Pipeline;

public class DataErrorTests
{
    [Fact]
    public async Task RunAsync_SingleClassLabel_DataValidationExceptionNamingLabel()
    {
        using TempFolder folder = TestData.TempFolder();
        string text = TestData.MulticlassCsv(rows: 60);
        text = SetCells(text, "species", Enumerable.Range(0, 60), "setosa");
        string csv = folder.Write("data.csv", text);
        TrainingPipeline pipeline = new PipelineBuilder(seed: 1).FromCsv(csv).Label("species").Train(Trainers.Binary.LightGbm()).Build();

        var ex = await Assert.ThrowsAsync<DataValidationException>(() => pipeline.RunAsync(cancellationToken: Ct));

        Assert.Equal(PipelineStage.Training, ex.Stage);
        Assert.Equal("species", ex.Column);
        Assert.Equal(csv, ex.DataSource);
        Assert.Contains("The label 'species' has only 'setosa' in the training data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MissingLabelsByDefault_FailsNamingCountAndRows()
    {
        using TempFolder folder = TestData.TempFolder();
        string text = SetCells(TestData.MulticlassCsv(rows: 200), "species", [2, 9, 49], string.Empty);
        string csv = folder.Write("data.csv", text);
        TrainingPipeline pipeline = new PipelineBuilder(seed: 1).FromCsv(csv).Label("species").Train(Trainers.Multiclass.LbfgsMaximumEntropy()).Build();

        var ex = await Assert.ThrowsAsync<DataValidationException>(() => pipeline.RunAsync(cancellationToken: Ct));

        Assert.Equal(PipelineStage.DataQuality, ex.Stage);
        Assert.Equal("species", ex.Column);
        Assert.StartsWith($"3 of 200 rows of {csv} have no value in the label 'species' (data rows 3, 10, 50)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MissingLabelPolicy.Drop", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MissingLabelsWithDropPolicy_DropsAndCountsThem()
    {
        using TempFolder folder = TestData.TempFolder();
        string text = SetCells(TestData.MulticlassCsv(rows: 200), "species", [2, 9, 49], string.Empty);
        string csv = folder.Write("data.csv", text);

        PipelineResult result = await new PipelineBuilder(seed: 1)
            .FromCsv(csv)
            .Label(new LabelOptions { Column = "species", MissingLabels = MissingLabelPolicy.Drop })
            .Train(Trainers.Multiclass.LbfgsMaximumEntropy())
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.Equal(3, result.DataQuality.DroppedMissingLabelRows);
        Assert.Equal(200, result.DataQuality.Rows); // the report counts what was extracted
        Assert.Equal(197, result.Rows);
        Assert.Equal(197, result.TrainRows + result.TestRows);
        Assert.Equal(3, result.DataQuality.MissingValues["species"]);
        Assert.Equal(3, result.DataQuality.LabelDistribution.Single(p => p.Key == "(missing)").Value);
        Assert.Equal(197, result.DataQuality.LabelDistribution.Where(p => p.Key != "(missing)").Sum(p => p.Value));
        Assert.Equal(0, result.Metrics.Multiclass!.UnknownLabelRows);
        Assert.InRange(result.Metrics[Metric.MicroAccuracy], 0.85, 1.0);
    }

    [Fact]
    public async Task RunAsync_MissingBinaryTextLabelsWithDropPolicy_DropsThem()
    {
        using TempFolder folder = TestData.TempFolder();
        string text = SetCells(TestData.BinaryCsv(rows: 200), "label", [0, 1], string.Empty);
        string csv = folder.Write("data.csv", text);
        var options = new CsvSourceOptions();
        options.ColumnTypes["label"] = ColumnKind.Text;

        PipelineResult result = await new PipelineBuilder(seed: 1)
            .From(CsvDataSource.FromFile(csv, options))
            .Label(new LabelOptions { Column = "label", MissingLabels = MissingLabelPolicy.Drop })
            .Train(Trainers.Binary.SdcaLogisticRegression())
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.Equal(2, result.DataQuality.DroppedMissingLabelRows);
        Assert.Equal(198, result.TrainRows + result.TestRows);
        Assert.Equal(["no", "yes"], result.ClassNames);
    }

    [Fact]
    public async Task RunAsync_HeaderOnly_DataValidationExceptionNoRows()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", "x1,x2,color,flag,label\n");
        TrainingPipeline pipeline = new PipelineBuilder().FromCsv(csv).Label("label").Train(Trainers.Binary.LightGbm()).Build();

        var ex = await Assert.ThrowsAsync<DataValidationException>(() => pipeline.RunAsync(cancellationToken: Ct));

        Assert.Equal(PipelineStage.DataQuality, ex.Stage);
        Assert.Contains("has no data rows", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_BinaryTrainerOnThreeClasses_DataValidationExceptionListsClasses()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.MulticlassCsv(rows: 90));
        TrainingPipeline pipeline = new PipelineBuilder().FromCsv(csv).Label("species").Train(Trainers.Binary.LightGbm()).Build();

        var ex = await Assert.ThrowsAsync<DataValidationException>(() => pipeline.RunAsync(cancellationToken: Ct));

        Assert.Equal(PipelineStage.Training, ex.Stage);
        Assert.Equal("species", ex.Column);
        Assert.Contains("has 3 classes (setosa, versicolor, virginica), but the trainer is binary", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NumericBinaryLabelNotZeroOne_DataValidationException()
    {
        using TempFolder folder = TestData.TempFolder();
        string text = TestData.BinaryCsv(rows: 60).Replace(",yes\n", ",2\n", StringComparison.Ordinal).Replace(",no\n", ",1\n", StringComparison.Ordinal);
        string csv = folder.Write("data.csv", text);
        TrainingPipeline pipeline = new PipelineBuilder().FromCsv(csv).Label("label").Train(Trainers.Binary.LightGbm()).Build();

        var ex = await Assert.ThrowsAsync<DataValidationException>(() => pipeline.RunAsync(cancellationToken: Ct));

        Assert.Equal("label", ex.Column);
        Assert.Contains("must be 0 or 1, but 'label' has 1 and 2", ex.Message, StringComparison.Ordinal);
    }
}
