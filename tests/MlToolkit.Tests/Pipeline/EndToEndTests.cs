using MlToolkit.Deployment;
using MlToolkit.Evaluation;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Csv;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Pipeline;

/// <summary>
/// End-to-end runs of the three tasks with seed 42 on the shared synthetic data. The metric bands are set around
/// the values measured with ML.NET 5.0.1 (noted next to each band).
/// </summary>
public class EndToEndTests
{
    private const int Seed = 42;

    private static readonly PipelineStage[] StagesWithDeployment =
    [
        PipelineStage.Extraction, PipelineStage.DataQuality, PipelineStage.Split, PipelineStage.Preparation,
        PipelineStage.Training, PipelineStage.Evaluation, PipelineStage.Deployment,
    ];

    private sealed record Run(PipelineResult Result, string Csv, List<PipelineProgress> Progress, LocalArtifactStore Store);

    private static async Task<Run> RunAsync(TempFolder folder, string csv, string label, ITrainer trainer, CsvSourceOptions? options = null)
    {
        string path = folder.Write("data.csv", csv);
        var store = new LocalArtifactStore(Path.Combine(folder.Path, "store"));
        var progress = new List<PipelineProgress>();
        PipelineResult result = await new PipelineBuilder(Seed)
            .From(CsvDataSource.FromFile(path, options))
            .Label(label)
            .Train(trainer)
            .SaveModelTo(store, "models/model.zip")
            .Build()
            .RunAsync(new SyncProgress<PipelineProgress>(progress.Add), Ct);
        return new Run(result, csv, progress, store);
    }

    /// <summary>What every run must satisfy: rows add up, one timing per stage run, the model file is where the result says.</summary>
    private static async Task AssertCommonAsync(Run run, int rows, int expectedTestRows)
    {
        PipelineResult result = run.Result;
        Assert.Equal(rows, result.Rows);
        Assert.Equal(rows, result.DataQuality.Rows);
        Assert.Equal(expectedTestRows, result.TestRows);
        Assert.Equal(rows - expectedTestRows, result.TrainRows);
        Assert.Equal(result.Rows, result.TrainRows + result.TestRows);
        Assert.Equal(0, result.ValidationRows);
        Assert.Null(result.ValidationMetrics);
        Assert.Equal(result.TestRows, result.Metrics.Rows);
        Assert.Equal(result.TrainRows, result.TrainingMetrics.Rows);
        Assert.Equal(Seed, result.Seed);

        // One timing per stage run, in order; the same stages were reported as started and completed.
        Assert.Equal(StagesWithDeployment, result.Timings.Select(t => t.Stage));
        Assert.All(result.Timings, t => Assert.True(t.Duration >= TimeSpan.Zero));
        Assert.Equal(StagesWithDeployment, run.Progress.Where(p => !p.Completed).Select(p => p.Stage));
        Assert.Equal(StagesWithDeployment, run.Progress.Where(p => p.Completed).Select(p => p.Stage));
        Assert.All(run.Progress, p => Assert.Equal(StagesWithDeployment.Length, p.StageCount));
        Assert.Equal(1.0, run.Progress[^1].Fraction);

        // The model file.
        DeploymentResult deployment = Assert.Single(result.Deployments);
        string path = run.Store.GetPath("models/model.zip");
        Assert.Equal("models/model.zip", deployment.Key);
        Assert.Equal(path, result.ModelLocation);
        Assert.True(File.Exists(path));
        byte[] bytes = await File.ReadAllBytesAsync(path, Ct);
        Assert.Equal(bytes.LongLength, deployment.Bytes);
        Assert.Equal(Sha256Hex(bytes), deployment.Sha256);
        Assert.Null(result.DeploymentSkippedReason);
        Assert.Null(result.Validation);
    }

    private static void AssertBinaryDataQuality(Run run)
    {
        DataQualityReport quality = run.Result.DataQuality;
        int emptyX2 = CountCells(run.Csv, "x2");
        Assert.Equal(59, emptyX2); // the seeded data set: guards the count below against a changed generator
        Assert.Equal(emptyX2, quality.MissingValues["x2"]);
        Assert.Equal(["x2"], quality.MissingValues.Keys);
        Assert.Equal(0, quality.DroppedMissingLabelRows);
        Assert.Equal(0, quality.SkippedRowCount);

        // Label distribution: yes 324, no 276 in the text; descending by count.
        int yes = CountCells(run.Csv, "label", "yes");
        int no = CountCells(run.Csv, "label", "no");
        Assert.Equal((324, 276), (yes, no));
        Assert.Equal([yes, no], quality.LabelDistribution.Select(p => p.Value));
    }

    [Fact]
    public async Task RunAsync_BinaryLightGbm_PinnedMetricsRowsQualityAndModel()
    {
        using TempFolder folder = TestData.TempFolder();
        Run run = await RunAsync(folder, TestData.BinaryCsv(), "label", Trainers.Binary.LightGbm());
        PipelineResult result = run.Result;

        Assert.Equal(MlTask.BinaryClassification, result.Task);
        Assert.Equal("LightGbm", result.Trainer);
        await AssertCommonAsync(run, rows: 600, expectedTestRows: 120); // stratified: round(324 * 0.2) + round(276 * 0.2)
        AssertBinaryDataQuality(run);

        // Measured: AUC 0.8748, accuracy 0.800, F1 0.806, log-loss 0.810 (100 rounds overfit 480 rows).
        Assert.InRange(result.Metrics[Metric.Auc], 0.85, 0.90);
        Assert.InRange(result.Metrics[Metric.Accuracy], 0.77, 0.83);
        Assert.InRange(result.Metrics[Metric.F1], 0.77, 0.84);
        Assert.InRange(result.Metrics[Metric.LogLoss], 0.70, 0.92);
        Assert.True(result.TrainingMetrics[Metric.Auc] > result.Metrics[Metric.Auc], "Training AUC should exceed test AUC for boosted trees.");

        BinaryClassificationReport binary = result.Metrics.Binary!;
        Assert.Equal(result.TestRows, binary.TruePositives + binary.FalsePositives + binary.TrueNegatives + binary.FalseNegatives);
        Assert.Equal(65, binary.TruePositives + binary.FalseNegatives); // positives in the test part
        Assert.Equal((double)(binary.TruePositives + binary.TrueNegatives) / result.TestRows, result.Metrics[Metric.Accuracy], 12);
        Assert.Equal((0.0, 0.0), (binary.RocCurve[0].FalsePositiveRate, binary.RocCurve[0].TruePositiveRate));
        Assert.Equal((1.0, 1.0), (binary.RocCurve[^1].FalsePositiveRate, binary.RocCurve[^1].TruePositiveRate));
    }

    [Fact]
    public async Task RunAsync_BinarySdcaLogisticRegression_PinnedMetrics()
    {
        using TempFolder folder = TestData.TempFolder();
        Run run = await RunAsync(folder, TestData.BinaryCsv(), "label", Trainers.Binary.SdcaLogisticRegression());
        PipelineResult result = run.Result;

        Assert.Equal("SdcaLogisticRegression", result.Trainer);
        await AssertCommonAsync(run, rows: 600, expectedTestRows: 120);
        AssertBinaryDataQuality(run);

        // Measured: AUC 0.9169, accuracy 0.833, F1 0.831, log-loss 0.385.
        Assert.InRange(result.Metrics[Metric.Auc], 0.90, 0.94);
        Assert.InRange(result.Metrics[Metric.Accuracy], 0.80, 0.87);
        Assert.InRange(result.Metrics[Metric.F1], 0.80, 0.87);
        Assert.InRange(result.Metrics[Metric.LogLoss], 0.33, 0.44);
    }

    /// <summary>
    /// The label column holds yes/no; the result's class names, the binary report and the label distribution
    /// should name the classes as they are in the data (LabelOptions, BinaryClassificationReport and the QuickStart
    /// comment "yes/no: "yes" is the positive class" say so).
    /// </summary>
    [Fact]
    public async Task RunAsync_YesNoTextLabel_ClassNamesAreNoThenYes()
    {
        using TempFolder folder = TestData.TempFolder();
        Run run = await RunAsync(folder, TestData.BinaryCsv(), "label", Trainers.Binary.SdcaLogisticRegression());

        Assert.Equal(["no", "yes"], run.Result.ClassNames);
        Assert.Equal(("no", "yes"), (run.Result.Metrics.Binary!.NegativeClass, run.Result.Metrics.Binary.PositiveClass));
        Assert.Equal([new KeyValuePair<string, long>("yes", 324), new KeyValuePair<string, long>("no", 276)], run.Result.DataQuality.LabelDistribution);
    }

    [Fact]
    public async Task RunAsync_YesNoLabelDeclaredText_ClassNamesAreNoThenYes()
    {
        using TempFolder folder = TestData.TempFolder();
        var options = new CsvSourceOptions();
        options.ColumnTypes["label"] = Data.ColumnKind.Text;
        Run run = await RunAsync(folder, TestData.BinaryCsv(), "label", Trainers.Binary.SdcaLogisticRegression(), options);

        Assert.Equal(["no", "yes"], run.Result.ClassNames);
        Assert.Equal(("no", "yes"), (run.Result.Metrics.Binary!.NegativeClass, run.Result.Metrics.Binary.PositiveClass));
        Assert.Equal([new KeyValuePair<string, long>("yes", 324), new KeyValuePair<string, long>("no", 276)], run.Result.DataQuality.LabelDistribution);

        // The encoding does not change what is learnt: the same AUC as with the inferred label.
        Assert.InRange(run.Result.Metrics[Metric.Auc], 0.90, 0.94);
    }

    private static void AssertMulticlassCommon(Run run)
    {
        PipelineResult result = run.Result;
        Assert.Equal(MlTask.MulticlassClassification, result.Task);
        Assert.Equal(["setosa", "versicolor", "virginica"], result.ClassNames);
        Assert.Empty(result.DataQuality.MissingValues);

        // Label distribution counted from the text, descending.
        var expected = Cells(run.Csv, "species").GroupBy(s => s)
            .Select(g => new KeyValuePair<string, long>(g.Key, g.LongCount()))
            .OrderByDescending(p => p.Value).ToList();
        Assert.Equal([new("virginica", 323), new("setosa", 289), new("versicolor", 288)], expected);
        Assert.Equal(expected, result.DataQuality.LabelDistribution);

        MulticlassClassificationReport report = result.Metrics.Multiclass!;
        Assert.Equal(result.ClassNames, report.Classes);
        Assert.Equal(0, report.UnknownLabelRows);
        Assert.Equal(result.TestRows, report.ConfusionMatrix.Sum(row => row.Sum()));
        Assert.Equal([58, 58, 65], report.PerClass.Select(c => c.Support)); // round(0.2 * 289), round(0.2 * 288), round(0.2 * 323)
        Assert.Equal(result.Metrics[Metric.Accuracy], result.Metrics[Metric.MicroAccuracy]);
    }

    [Fact]
    public async Task RunAsync_MulticlassLightGbm_PinnedMetricsAndClasses()
    {
        using TempFolder folder = TestData.TempFolder();
        Run run = await RunAsync(folder, TestData.MulticlassCsv(), "species", Trainers.Multiclass.LightGbm());

        await AssertCommonAsync(run, rows: 900, expectedTestRows: 181);
        AssertMulticlassCommon(run);

        // Measured: micro accuracy 0.9890, macro accuracy 0.9885, macro F1 0.9888, log-loss 0.0394.
        Assert.InRange(run.Result.Metrics[Metric.MicroAccuracy], 0.96, 1.0);
        Assert.InRange(run.Result.Metrics[Metric.MacroAccuracy], 0.96, 1.0);
        Assert.InRange(run.Result.Metrics[Metric.MacroF1], 0.96, 1.0);
        Assert.InRange(run.Result.Metrics[Metric.LogLoss], 0.0, 0.10);
    }

    [Fact]
    public async Task RunAsync_MulticlassLbfgsMaximumEntropy_PinnedMetricsAndClasses()
    {
        using TempFolder folder = TestData.TempFolder();
        Run run = await RunAsync(folder, TestData.MulticlassCsv(), "species", Trainers.Multiclass.LbfgsMaximumEntropy());

        Assert.Equal("LbfgsMaximumEntropy", run.Result.Trainer);
        await AssertCommonAsync(run, rows: 900, expectedTestRows: 181);
        AssertMulticlassCommon(run);

        // Measured: micro accuracy 0.9724, macro accuracy 0.9713, macro F1 0.9718, log-loss 0.1076.
        Assert.InRange(run.Result.Metrics[Metric.MicroAccuracy], 0.95, 0.99);
        Assert.InRange(run.Result.Metrics[Metric.MacroAccuracy], 0.95, 0.99);
        Assert.InRange(run.Result.Metrics[Metric.MacroF1], 0.95, 0.99);
        Assert.InRange(run.Result.Metrics[Metric.LogLoss], 0.08, 0.14);
    }

    private static void AssertRegressionCommon(Run run)
    {
        PipelineResult result = run.Result;
        Assert.Equal(MlTask.Regression, result.Task);
        Assert.Empty(result.ClassNames);
        Assert.Empty(result.DataQuality.LabelDistribution);
        int na = CountCells(run.Csv, "x1", "NA");
        Assert.Equal(41, na);
        Assert.Equal(na, result.DataQuality.MissingValues["x1"]);
        Assert.Equal(["x1"], result.DataQuality.MissingValues.Keys);
        Assert.Null(result.Metrics.Binary);
        Assert.Null(result.Metrics.Multiclass);
    }

    [Fact]
    public async Task RunAsync_RegressionLightGbm_PinnedMetrics()
    {
        using TempFolder folder = TestData.TempFolder();
        Run run = await RunAsync(folder, TestData.RegressionCsv(), "y", Trainers.Regression.LightGbm());

        await AssertCommonAsync(run, rows: 800, expectedTestRows: 160); // random split: round(800 * 0.2)
        AssertRegressionCommon(run);

        // Measured: R2 0.9179, RMSE 2.830, MAE 1.489.
        Assert.InRange(run.Result.Metrics[Metric.R2], 0.89, 0.94);
        Assert.InRange(run.Result.Metrics[Metric.Rmse], 2.5, 3.2);
        Assert.InRange(run.Result.Metrics[Metric.Mae], 1.3, 1.7);
    }

    [Fact]
    public async Task RunAsync_RegressionSdca_PinnedMetrics()
    {
        using TempFolder folder = TestData.TempFolder();
        Run run = await RunAsync(folder, TestData.RegressionCsv(), "y", Trainers.Regression.Sdca());

        Assert.Equal("Sdca", run.Result.Trainer);
        await AssertCommonAsync(run, rows: 800, expectedTestRows: 160);
        AssertRegressionCommon(run);

        // Measured: R2 0.9358, RMSE 2.502, MAE 1.064 (the data is linear: y = 3 x1 - 2 x2 + 5 [cat = b] + noise).
        Assert.InRange(run.Result.Metrics[Metric.R2], 0.92, 0.95);
        Assert.InRange(run.Result.Metrics[Metric.Rmse], 2.3, 2.7);
        Assert.InRange(run.Result.Metrics[Metric.Mae], 0.95, 1.2);
        Assert.True(run.Result.Metrics[Metric.Mae] <= run.Result.Metrics[Metric.Rmse]);
    }
}
