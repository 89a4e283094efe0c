using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Training;

public class LearningCurveTests
{
    [Fact]
    public async Task LearningCurve_GrowingNestedSharesEndingWithTheWholeTrainingPart()
    {
        using TempFolder folder = TestData.TempFolder();

        PipelineResult result = await new PipelineBuilder(6)
            .FromCsv(folder.Write("data.csv", TestData.BinaryCsv(1_000)))
            .Label("label")
            .Split(test: 0.2, validation: 0.2)
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 40))
            .LearningCurve(points: 4)
            .Build()
            .RunAsync(cancellationToken: Ct);

        LearningCurveResult curve = result.LearningCurve!;
        Assert.Equal(Metric.Auc, curve.Metric);
        Assert.Equal("validation", curve.HeldOutName);
        Assert.Equal(4, curve.Points.Count);
        Assert.Equal(result.TrainRows, curve.Points[^1].TrainRows);
        Assert.InRange(curve.Points[0].TrainRows, (result.TrainRows / 4) - 2, (result.TrainRows / 4) + 2);
        Assert.Equal(curve.Points.Select(p => p.TrainRows).Order(), curve.Points.Select(p => p.TrainRows));
        // The last point is the run's own model: the same rows, preparation, trainer and seeds.
        Assert.Equal(result.ValidationMetrics![Metric.Auc], curve.Points[^1].HeldOutScore, 9);
        Assert.Equal(result.TrainingMetrics[Metric.Auc], curve.Points[^1].TrainingScore, 9);
    }

    [Fact]
    public async Task LearningCurve_WithoutValidationPart_ScoresOnTheTestPart()
    {
        using TempFolder folder = TestData.TempFolder();

        PipelineResult result = await new PipelineBuilder(6)
            .FromCsv(folder.Write("data.csv", TestData.RegressionCsv(600)))
            .Label("y")
            .Train(Trainers.Regression.LightGbm(numberOfIterations: 30))
            .LearningCurve(points: 3, metric: Metric.Rmse)
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.Equal("test", result.LearningCurve!.HeldOutName);
        Assert.Equal(result.Metrics[Metric.Rmse], result.LearningCurve.Points[^1].HeldOutScore, 6);
    }
}
