using Microsoft.Data.Analysis;
using Microsoft.ML.Data;
using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Extraction;
using MlToolkit.Extraction.InMemory;
using MlToolkit.Pipeline;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;
using DataTable = MlToolkit.Data.DataTable;

namespace MlToolkit.Tests.Extraction.InMemory;

public class EnumerableDataSourceTests
{
    public sealed class Row
    {
        public float F { get; set; }

        public double D { get; set; }

        public int I { get; set; }

        public bool B { get; set; }

        public string? S { get; set; }
    }

    public sealed class Sample
    {
        public float X1 { get; set; }

        public double X2 { get; set; }

        public string Color { get; set; } = "";

        public bool Flag { get; set; }

        public bool Label { get; set; }
    }

    // The enumerable source returns ML.NET's lazy view; the pipeline copies it into a table as here.
    private static async Task<DataTable> ExtractAsync(IDataSource source)
        => DataTable.FromDataView((await source.ExtractAsync(ExtractionContext.Standalone(), Ct)).Data, source.Name, Ct);

    [Fact]
    public async Task ExtractAsync_TypedProperties_NumbersAsFloatNaNAndNullAsMissing()
    {
        Row[] rows =
        [
            new() { F = 1.5f, D = double.NaN, I = 3, B = true, S = "a" },
            new() { F = float.NaN, D = 2.25, I = -1, B = false, S = null },
            new() { F = -0.5f, D = 1e10, I = int.MaxValue, B = true, S = "b c" },
        ];
        var source = new EnumerableDataSource<Row>(rows, "rows");

        DataTable table = await ExtractAsync(source);

        Assert.Equal(3, table.RowCount);
        Assert.Equal(["F", "D", "I", "B", "S"], table.Columns.Select(c => c.Name));
        Assert.Equal(
            [ColumnKind.Number, ColumnKind.Number, ColumnKind.Number, ColumnKind.Boolean, ColumnKind.Text],
            table.Columns.Select(c => c.Kind));
        float[] f = ((NumberColumn)table.FindColumn("F")!).Values;
        float[] d = ((NumberColumn)table.FindColumn("D")!).Values;
        float[] i = ((NumberColumn)table.FindColumn("I")!).Values;
        Assert.Equal(1.5f, f[0]);
        Assert.True(float.IsNaN(f[1]));
        Assert.True(float.IsNaN(d[0]));
        Assert.Equal(2.25f, d[1]);
        Assert.Equal(1e10f, d[2]);
        Assert.Equal([3f, -1f, int.MaxValue], i);
        Assert.Equal([true, false, true], ((BooleanColumn)table.FindColumn("B")!).Values);
        Assert.Equal(new string?[] { "a", null, "b c" }, ((TextColumn)table.FindColumn("S")!).Values.AsEnumerable());
        Assert.True(table.FindColumn("S")!.IsMissing(1));
        Assert.False(table.FindColumn("B")!.IsMissing(1));

        DataQualityReport quality = DataQualityReport.Compute(table, null, classification: false);
        Assert.Equal(new Dictionary<string, long> { ["F"] = 1, ["D"] = 1, ["S"] = 1 }, quality.MissingValues);
    }

    [Fact]
    public void GetSchema_TypedProperties_MlNetTypes()
    {
        var source = new EnumerableDataSource<Row>([]);

        Microsoft.ML.DataViewSchema schema = source.GetSchema();

        Assert.Equal("enumerable<Row>", source.Name);
        Assert.Equal(NumberDataViewType.Single, schema["F"].Type);
        Assert.Equal(NumberDataViewType.Double, schema["D"].Type);
        Assert.Equal(NumberDataViewType.Int32, schema["I"].Type);
        Assert.Equal(BooleanDataViewType.Instance, schema["B"].Type);
        Assert.Equal(TextDataViewType.Instance, schema["S"].Type);
    }

    [Fact]
    public async Task ExtractAsync_EnumeratedPerRun_SeesNewItems()
    {
        var rows = new List<Row> { new() { S = "x" } };
        var source = new EnumerableDataSource<Row>(rows);
        Assert.Equal(1, (await ExtractAsync(source)).RowCount);

        rows.Add(new Row { S = "y" });

        Assert.Equal(2, (await ExtractAsync(source)).RowCount);
    }

    internal static List<Sample> Samples(int count, int seed)
    {
        var random = new Random(seed);
        string[] colors = ["red", "green", "blue"];
        return Enumerable.Range(0, count).Select(_ =>
        {
            float x1 = (float)(random.NextDouble() * 10);
            double x2 = random.NextDouble() < 0.1 ? double.NaN : random.NextDouble() * 5;
            int color = random.Next(3);
            bool flag = random.NextDouble() < 0.5;
            double logit = ((x1 - 5) * 1.2) + (color == 2 ? 1.5 : 0) - (flag ? 0.8 : 0);
            return new Sample { X1 = x1, X2 = x2, Color = colors[color], Flag = flag, Label = random.NextDouble() < 1 / (1 + Math.Exp(-logit)) };
        }).ToList();
    }

    [Fact]
    public async Task FromEnumerable_BooleanLabel_PipelineTrains()
    {
        List<Sample> samples = Samples(400, seed: 31);

        PipelineResult result = await new PipelineBuilder(seed: 31)
            .FromEnumerable(samples)
            .Label("Label")
            .Train(Trainers.Binary.SdcaLogisticRegression())
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.Equal(400, result.Rows);
        Assert.Equal(["false", "true"], result.ClassNames);
        Assert.Equal(samples.Count(s => double.IsNaN(s.X2)), result.DataQuality.MissingValues["X2"]);
        Assert.Equal(samples.Count(s => s.Label), result.DataQuality.LabelDistribution.Single(p => p.Key == "true").Value);
        Assert.InRange(result.Metrics[Metric.Auc], 0.9, 1.0);
    }

    public sealed class Message
    {
        public string Text { get; set; } = "";

        public float Length { get; set; }

        public string Kind { get; set; } = "";
    }

    [Fact]
    public async Task FromEnumerable_TwoTextLabels_SecondInOrdinalOrderIsPositive()
    {
        var random = new Random(5);
        var messages = Enumerable.Range(0, 200).Select(i =>
        {
            bool spam = random.NextDouble() < 0.4;
            return new Message { Text = spam ? "win" : "hello", Length = (float)((spam ? 5 : 2) + random.NextDouble()), Kind = spam ? "spam" : "ham" };
        }).ToList();

        PipelineResult result = await new PipelineBuilder(seed: 5)
            .FromEnumerable(messages)
            .Label("Kind")
            .Train(Trainers.Binary.SdcaLogisticRegression())
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.Equal(["ham", "spam"], result.ClassNames);
        Assert.Equal(("ham", "spam"), (result.Metrics.Binary!.NegativeClass, result.Metrics.Binary.PositiveClass));
        Assert.Equal(1.0, result.Metrics[Metric.Auc], 6);
    }
}

public class DataFrameDataSourceTests
{
    // The enumerable source returns ML.NET's lazy view; the pipeline copies it into a table as here.
    private static async Task<DataTable> ExtractAsync(IDataSource source)
        => DataTable.FromDataView((await source.ExtractAsync(ExtractionContext.Standalone(), Ct)).Data, source.Name, Ct);

    [Fact]
    public async Task ExtractAsync_NullsInNumericAndStringColumns_NaNAndMissingText()
    {
        var frame = new DataFrame(
            new DoubleDataFrameColumn("d", [1.5, null, 0.0]),
            new Int32DataFrameColumn("i", [1, 2, null]),
            new SingleDataFrameColumn("f", [null, 0f, -2f]),
            new StringDataFrameColumn("s", ["x", null, ""]),
            new BooleanDataFrameColumn("b", [true, false, true]));
        var source = new DataFrameDataSource(frame, "frame");

        DataTable table = await ExtractAsync(source);

        Assert.Equal(3, table.RowCount);
        float[] d = ((NumberColumn)table.FindColumn("d")!).Values;
        Assert.Equal(1.5f, d[0]);
        Assert.True(float.IsNaN(d[1]), "A null double must be NaN, not 0.");
        Assert.Equal(0f, d[2]);
        float[] i = ((NumberColumn)table.FindColumn("i")!).Values;
        Assert.Equal([1f, 2f], i[..2]);
        Assert.True(float.IsNaN(i[2]), "A null int must be NaN, not 0.");
        float[] f = ((NumberColumn)table.FindColumn("f")!).Values;
        Assert.True(float.IsNaN(f[0]));
        Assert.Equal([0f, -2f], f[1..]);
        Assert.Equal(new string?[] { "x", null, null }, ((TextColumn)table.FindColumn("s")!).Values.AsEnumerable());
        Assert.Equal([true, false, true], ((BooleanColumn)table.FindColumn("b")!).Values);
        Assert.Equal(
            new Dictionary<string, long> { ["d"] = 1, ["i"] = 1, ["f"] = 1, ["s"] = 2 },
            DataQualityReport.Compute(table, null, classification: false).MissingValues);
    }

    [Fact]
    public async Task ExtractAsync_NullInBooleanColumn_DataSourceExceptionNamingColumnAndRow()
    {
        var frame = new DataFrame(
            new DoubleDataFrameColumn("d", [1, 2, 3]),
            new BooleanDataFrameColumn("flag", [true, null, false]));
        var source = new DataFrameDataSource(frame, "people");

        var ex = await Assert.ThrowsAsync<DataSourceException>(() => ExtractAsync(source));

        Assert.Equal("flag", ex.Column);
        Assert.Equal(2, ex.Line);
        Assert.Equal("people", ex.DataSource);
        Assert.Equal(PipelineStage.Extraction, ex.Stage);
        Assert.Contains("boolean column 'flag' has a null at row 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSchema_ColumnTypes_NumbersAreSingle()
    {
        var frame = new DataFrame(
            new DoubleDataFrameColumn("d", [1.0]),
            new Int64DataFrameColumn("l", [1L]),
            new StringDataFrameColumn("s", ["a"]),
            new BooleanDataFrameColumn("b", [true]));

        Microsoft.ML.DataViewSchema schema = new DataFrameDataSource(frame).GetSchema();

        Assert.Equal(
            [NumberDataViewType.Single, NumberDataViewType.Single, (DataViewType)TextDataViewType.Instance, BooleanDataViewType.Instance],
            schema.Select(c => c.Type));
    }

    [Fact]
    public async Task FromDataFrame_PipelineWithNullFeatures_TrainsAndCountsMissing()
    {
        List<EnumerableDataSourceTests.Sample> samples = EnumerableDataSourceTests.Samples(300, seed: 41);
        var frame = new DataFrame(
            new SingleDataFrameColumn("x1", samples.Select(s => (float?)s.X1)),
            new DoubleDataFrameColumn("x2", samples.Select(s => double.IsNaN(s.X2) ? (double?)null : s.X2)),
            new StringDataFrameColumn("color", samples.Select(s => s.Color)),
            new BooleanDataFrameColumn("label", samples.Select(s => (bool?)s.Label)));

        PipelineResult result = await new PipelineBuilder(seed: 41)
            .FromDataFrame(frame)
            .Label("label")
            .Train(Trainers.Binary.SdcaLogisticRegression())
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.Equal(samples.Count(s => double.IsNaN(s.X2)), result.DataQuality.MissingValues["x2"]);
        Assert.Equal(300, result.TrainRows + result.TestRows);
        Assert.InRange(result.Metrics[Metric.Auc], 0.85, 1.0);
    }

    [Fact]
    public async Task FromDataFrame_NullInBooleanLabel_RunFailsInExtraction()
    {
        var frame = new DataFrame(
            new DoubleDataFrameColumn("x", [1, 2, 3, 4]),
            new BooleanDataFrameColumn("label", [true, false, null, true]));
        TrainingPipeline pipeline = new PipelineBuilder().FromDataFrame(frame).Label("label").Train(Trainers.Binary.LightGbm()).Build();

        var ex = await Assert.ThrowsAsync<DataSourceException>(() => pipeline.RunAsync(cancellationToken: Ct));

        Assert.Equal(("label", 3L), (ex.Column, ex.Line));
    }
}
