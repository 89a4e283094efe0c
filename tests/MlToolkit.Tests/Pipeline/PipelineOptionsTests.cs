using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Extraction.Csv;
using MlToolkit.Extraction.InMemory;
using MlToolkit.Pipeline;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Pipeline;

public class PipelineOptionsTests
{
    /// <summary>A clock that moves one second each time it is read.</summary>
    private sealed class SteppingTime : TimeProvider
    {
        private long _now;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _now += TimeSpan.TicksPerSecond;
    }

    [Fact]
    public async Task RunAsync_WithTimeProvider_TimingsComeFromIt()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.RegressionCsv(rows: 100));

        PipelineResult result = await new PipelineBuilder(seed: 2)
            .FromCsv(csv).Label("y").Train(Trainers.Regression.Sdca()).WithTimeProvider(new SteppingTime())
            .Build().RunAsync(cancellationToken: Ct);

        Assert.Equal(6, result.Timings.Count);
        Assert.All(result.Timings, t => Assert.Equal(TimeSpan.FromSeconds(1), t.Duration));
    }

    [Fact]
    public async Task RunAsync_ValidationFraction_ThreePartsAndValidationMetrics()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv());

        PipelineResult result = await new PipelineBuilder(seed: 42)
            .FromCsv(csv).Label("label").Split(test: 0.2, validation: 0.2).Train(Trainers.Binary.SdcaLogisticRegression())
            .Build().RunAsync(cancellationToken: Ct);

        // Stratified: yes 324 -> 65 test, 65 validation; no 276 -> 55, 55.
        Assert.Equal((360L, 120L, 120L), (result.TrainRows, result.ValidationRows, result.TestRows));
        Assert.Equal(600, result.TrainRows + result.ValidationRows + result.TestRows);
        Assert.NotNull(result.ValidationMetrics);
        Assert.Equal(120, result.ValidationMetrics.Rows);
        Assert.InRange(result.ValidationMetrics[Metric.Auc], 0.85, 1.0);
        Assert.Equal(65, result.ValidationMetrics.Binary!.TruePositives + result.ValidationMetrics.Binary.FalseNegatives);
    }

    [Fact]
    public async Task RunAsync_PositiveClassGivenOnTextLabel_IsThePositiveClass()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", TestData.BinaryCsv(rows: 300));
        var options = new CsvSourceOptions();
        options.ColumnTypes["label"] = ColumnKind.Text;

        PipelineResult result = await new PipelineBuilder(seed: 2)
            .From(CsvDataSource.FromFile(path, options)).Label("label", positiveClass: "no").Train(Trainers.Binary.SdcaLogisticRegression())
            .Build().RunAsync(cancellationToken: Ct);

        Assert.Equal(["yes", "no"], result.ClassNames);
        BinaryClassificationReport report = result.Metrics.Binary!;
        int noInTest = (int)(report.TruePositives + report.FalseNegatives);
        Assert.Equal((int)Math.Round(CountCells(TestData.BinaryCsv(rows: 300), "label", "no") * 0.2, MidpointRounding.AwayFromZero), noInTest);
        Assert.InRange(result.Metrics[Metric.Auc], 0.85, 1.0); // "no" is predictable too
    }

    /// <summary>The documented way to choose the positive class of a yes/no label, on the CSV as it is.</summary>
    [Fact]
    public async Task RunAsync_PositiveClassYesOnYesNoCsv_Trains()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", TestData.BinaryCsv(rows: 300));

        PipelineResult result = await new PipelineBuilder(seed: 2)
            .FromCsv(path).Label("label", positiveClass: "yes").Train(Trainers.Binary.SdcaLogisticRegression())
            .Build().RunAsync(cancellationToken: Ct);

        Assert.Equal(["no", "yes"], result.ClassNames);
    }

    [Fact]
    public async Task RunAsync_PositiveClassNotInData_DataValidationExceptionListsValues()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", TestData.BinaryCsv(rows: 100));
        var options = new CsvSourceOptions();
        options.ColumnTypes["label"] = ColumnKind.Text;
        TrainingPipeline pipeline = new PipelineBuilder()
            .From(CsvDataSource.FromFile(path, options)).Label("label", positiveClass: "maybe").Train(Trainers.Binary.LightGbm()).Build();

        var ex = await Assert.ThrowsAsync<DataValidationException>(() => pipeline.RunAsync(cancellationToken: Ct));

        Assert.Equal("The positive class 'maybe' is not a value of the label 'label' (no, yes).", ex.Message);
    }

    public sealed class Reading
    {
        public float A { get; set; }

        public float B { get; set; }

        public float Level { get; set; }
    }

    [Fact]
    public async Task RunAsync_NumericMulticlassLabel_ClassesInNumericOrder()
    {
        var random = new Random(12);
        float[] levels = [10, 2, 1];
        var rows = Enumerable.Range(0, 300).Select(i =>
        {
            float level = levels[i % 3];
            return new Reading { A = level + (float)random.NextDouble(), B = (float)random.NextDouble(), Level = level };
        }).ToList();

        PipelineResult result = await new PipelineBuilder(seed: 12)
            .FromEnumerable(rows).Label("Level").Train(Trainers.Multiclass.LbfgsMaximumEntropy())
            .Build().RunAsync(cancellationToken: Ct);

        Assert.Equal(["1", "2", "10"], result.ClassNames);
        Assert.Equal([100L, 100, 100], result.DataQuality.LabelDistribution.Select(p => p.Value));
        Assert.InRange(result.Metrics[Metric.MicroAccuracy], 0.85, 1.0); // measured 0.90
    }

    [Fact]
    public async Task RunAsync_ZeroOneNumericBinaryLabel_ClassNamesZeroOne()
    {
        var random = new Random(13);
        var rows = Enumerable.Range(0, 200).Select(i => new Reading { A = (i % 2) + (float)random.NextDouble(), B = (float)random.NextDouble(), Level = i % 2 }).ToList();

        PipelineResult result = await new PipelineBuilder(seed: 13)
            .FromEnumerable(rows).Label("Level").Train(Trainers.Binary.SdcaLogisticRegression())
            .Build().RunAsync(cancellationToken: Ct);

        Assert.Equal(["0", "1"], result.ClassNames);
        Assert.Equal(("0", "1"), (result.Metrics.Binary!.NegativeClass, result.Metrics.Binary.PositiveClass));
    }

    public sealed class Event
    {
        public DateTime When { get; set; }

        public float X { get; set; }

        public bool Label { get; set; }
    }

    [Fact]
    public void Build_UnusableColumnType_ProblemSuggestsIgnore()
    {
        var ex = Assert.Throws<PipelineValidationException>(() => new PipelineBuilder()
            .From(new EnumerableDataSource<Event>([])).Label("Label").Train(Trainers.Binary.LightGbm()).Build());

        string problem = Assert.Single(ex.Problems);
        Assert.StartsWith("Column 'When' has type DateTime", problem, StringComparison.Ordinal);
        Assert.Contains("Ignore(\"When\")", problem, StringComparison.Ordinal);
    }

    /// <summary>Build's advice for a column of an unusable type is Ignore("When"): the ignored column must then not stop the run.</summary>
    [Fact]
    public async Task RunAsync_UnusableColumnIgnored_Trains()
    {
        var random = new Random(14);
        var rows = Enumerable.Range(0, 200).Select(i =>
        {
            bool label = i % 2 == 0;
            return new Event { When = new DateTime(2024, 1, 1).AddHours(i), X = (label ? 1 : 0) + (float)random.NextDouble(), Label = label };
        }).ToList();
        TrainingPipeline pipeline = new PipelineBuilder(seed: 14)
            .From(new EnumerableDataSource<Event>(rows)).Label("Label").Ignore("When").Train(Trainers.Binary.SdcaLogisticRegression()).Build();

        PipelineResult result = await pipeline.RunAsync(cancellationToken: Ct);

        Assert.Equal(200, result.Rows);
        Assert.DoesNotContain("When", result.Model.InputSchema.Select(c => c.Name));
    }

    public sealed class WithConstant
    {
        public float X { get; set; }

        public float Constant { get; set; }

        public bool Label { get; set; }
    }

    [Fact]
    public async Task RunAsync_ConstantColumn_ReportedAsConstant()
    {
        var rows = Enumerable.Range(0, 100).Select(i => new WithConstant { X = i % 2 + (i / 100f), Constant = 7, Label = i % 2 == 1 }).ToList();

        PipelineResult result = await new PipelineBuilder(seed: 1)
            .FromEnumerable(rows).Label("Label").Train(Trainers.Binary.SdcaLogisticRegression())
            .Build().RunAsync(cancellationToken: Ct);

        Assert.Equal(["Constant"], result.DataQuality.ConstantColumns);
        Assert.Equal(1, result.DataQuality.Columns.Single(c => c.Name == "Constant").Distinct);
        Assert.Equal(2, result.DataQuality.Columns.Single(c => c.Name == "Label").Distinct);
    }
}
