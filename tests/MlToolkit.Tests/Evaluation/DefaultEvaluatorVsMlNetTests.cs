using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Extraction.Csv;
using MlToolkit.Pipeline;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Evaluation;

/// <summary>
/// DefaultEvaluator pinned against ML.NET's evaluators on the scores of real trained models: a model trained by a
/// pipeline scores a fresh, differently seeded data set whose label is encoded as the pipeline encodes it.
/// </summary>
public class DefaultEvaluatorVsMlNetTests
{
    private static async Task<PipelineResult> TrainAsync(TempFolder folder, string csv, string label, ITrainer trainer)
        => await new PipelineBuilder(seed: 5)
            .FromCsv(folder.Write("train.csv", csv))
            .Label(label)
            .Train(trainer)
            .Build()
            .RunAsync(cancellationToken: Ct);

    private static EvaluationResult Evaluate(PipelineResult trained, IDataView scored)
        => DefaultEvaluator.Instance.Evaluate(new EvaluationContext(trained.Model.MLContext, trained.Task, scored, trained.Model.LabelColumn, trained.ClassNames, "fresh"));

    [Theory]
    [InlineData("lightgbm")]
    [InlineData("sdca")]
    public async Task Evaluate_TrainedBinaryModel_MatchesMlNetAndLogLossIsBitsTimesLn2(string trainerName)
    {
        using TempFolder folder = TestData.TempFolder();
        PipelineResult trained = await TrainAsync(folder, TestData.BinaryCsv(rows: 500), "label", Trainers.ByName(MlTask.BinaryClassification, trainerName));

        // Fresh data with the label as the pipeline encodes a binary label: a boolean, true for "yes".
        DataTable fresh = await ReadCsvAsync(folder.Write("fresh.csv", TestData.BinaryCsv(rows: 300, seed: 77)));
        DataTableColumn raw = fresh.FindColumn("label")!;
        bool[] positive = Enumerable.Range(0, fresh.RowCount).Select(i => raw.FormatValue(i) is "yes" or "true").ToArray();
        Assert.Equal(CountCells(TestData.BinaryCsv(rows: 300, seed: 77), "label", "yes"), positive.Count(p => p));
        IDataView scored = trained.Model.Transform(fresh.WithColumn(new BooleanColumn("label", positive)));

        EvaluationResult ours = Evaluate(trained, scored);
        CalibratedBinaryClassificationMetrics theirs = trained.Model.MLContext.BinaryClassification.Evaluate(scored, "label");

        Assert.Equal(300, ours.Rows);
        Assert.Equal(theirs.Accuracy, ours[Metric.Accuracy], 1e-6);
        Assert.Equal(theirs.F1Score, ours[Metric.F1], 1e-6);
        Assert.Equal(theirs.PositivePrecision, ours[Metric.Precision], 1e-6);
        Assert.Equal(theirs.PositiveRecall, ours[Metric.Recall], 1e-6);
        Assert.Equal(theirs.AreaUnderRocCurve, ours[Metric.Auc], 1e-3);

        // ML.NET's LogLoss is in bits (log base 2); ours is in nats: ours = theirs * ln 2.
        Assert.Equal(theirs.LogLoss * Math.Log(2), ours[Metric.LogLoss], 1e-4);
        Assert.NotEqual(theirs.LogLoss, ours[Metric.LogLoss], 1e-2);

        // The confusion matrices agree too.
        BinaryClassificationReport report = ours.Binary!;
        Assert.Equal(theirs.ConfusionMatrix.Counts[0][0], report.TruePositives);
        Assert.Equal(theirs.ConfusionMatrix.Counts[0][1], report.FalseNegatives);
        Assert.Equal(theirs.ConfusionMatrix.Counts[1][0], report.FalsePositives);
        Assert.Equal(theirs.ConfusionMatrix.Counts[1][1], report.TrueNegatives);
        Assert.InRange(ours[Metric.Auc], 0.85, 1.0);
    }

    [Theory]
    [InlineData("lightgbm")]
    [InlineData("lbfgs")]
    public async Task Evaluate_TrainedMulticlassModel_MatchesMlNetWhoseLogLossIsNaturalLog(string trainerName)
    {
        using TempFolder folder = TestData.TempFolder();
        PipelineResult trained = await TrainAsync(folder, TestData.MulticlassCsv(rows: 450), "species", Trainers.ByName(MlTask.MulticlassClassification, trainerName));
        Assert.Equal(["setosa", "versicolor", "virginica"], trained.ClassNames);

        // Fresh data with the label as a key in the order of the class names (ordinal order of the values).
        MLContext ml = trained.Model.MLContext;
        DataTable fresh = await ReadCsvAsync(folder.Write("fresh.csv", TestData.MulticlassCsv(rows: 300, seed: 78)));
        IDataView keyed = ml.Transforms.Conversion.MapValueToKey("species", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(fresh).Transform(fresh);
        IDataView scored = trained.Model.Transform(keyed);

        EvaluationResult ours = Evaluate(trained, scored);
        MulticlassClassificationMetrics theirs = ml.MulticlassClassification.Evaluate(scored, "species");

        Assert.Equal(300, ours.Rows);
        Assert.Equal(theirs.MicroAccuracy, ours[Metric.MicroAccuracy], 1e-6);
        Assert.Equal(theirs.MacroAccuracy, ours[Metric.MacroAccuracy], 1e-6);

        // ML.NET's multiclass LogLoss is in nats (natural log), unlike its binary LogLoss: the two are equal.
        Assert.Equal(theirs.LogLoss, ours[Metric.LogLoss], 1e-4);
        for (int truth = 0; truth < 3; truth++)
        {
            for (int predicted = 0; predicted < 3; predicted++)
            {
                Assert.Equal(theirs.ConfusionMatrix.Counts[truth][predicted], ours.Multiclass!.ConfusionMatrix[truth][predicted]);
            }
        }

        Assert.InRange(ours[Metric.MicroAccuracy], 0.9, 1.0);
    }

    [Theory]
    [InlineData("lightgbm")]
    [InlineData("sdca")]
    public async Task Evaluate_TrainedRegressionModel_MatchesMlNet(string trainerName)
    {
        using TempFolder folder = TestData.TempFolder();
        PipelineResult trained = await TrainAsync(folder, TestData.RegressionCsv(rows: 400), "y", Trainers.ByName(MlTask.Regression, trainerName));
        DataTable fresh = await ReadCsvAsync(folder.Write("fresh.csv", TestData.RegressionCsv(rows: 300, seed: 79)));
        IDataView scored = trained.Model.Transform(fresh);

        EvaluationResult ours = Evaluate(trained, scored);
        RegressionMetrics theirs = trained.Model.MLContext.Regression.Evaluate(scored, "y");

        Assert.Equal(300, ours.Rows);
        Assert.Equal(theirs.RootMeanSquaredError, ours[Metric.Rmse], 1e-4);
        Assert.Equal(theirs.MeanAbsoluteError, ours[Metric.Mae], 1e-4);
        Assert.Equal(theirs.RSquared, ours[Metric.R2], 1e-4);
        Assert.InRange(ours[Metric.R2], 0.85, 1.0);
    }

    [Fact]
    public async Task RunAsync_TestSourceWithOneClass_AucIsNaNNotAnException()
    {
        using TempFolder folder = TestData.TempFolder();
        string train = folder.Write("train.csv", TestData.BinaryCsv(rows: 300));
        string allYes = TestData.BinaryCsv(rows: 200, seed: 8);
        allYes = SetCells(allYes, "label", Enumerable.Range(0, 200), "yes");
        string test = folder.Write("test.csv", allYes);

        PipelineResult result = await new PipelineBuilder(seed: 5)
            .FromCsv(train)
            .TestOn(CsvDataSource.FromFile(test))
            .Label("label")
            .Split(test: 0)
            .Train(Trainers.Binary.SdcaLogisticRegression())
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.Equal(200, result.TestRows);
        Assert.Equal(300, result.TrainRows);
        Assert.Equal(500, result.Rows);
        Assert.True(double.IsNaN(result.Metrics[Metric.Auc]));
        Assert.Equal(0, result.Metrics.Binary!.FalsePositives + result.Metrics.Binary.TrueNegatives);
        Assert.Equal(result.Metrics[Metric.Recall], result.Metrics[Metric.Accuracy], 12);
        Assert.InRange(result.Metrics[Metric.Accuracy], 0.5, 1.0);
    }
}
