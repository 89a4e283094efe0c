using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Training;

namespace MlToolkit.Tests.Pipeline;

public class TrainingMetricsTests
{
    private sealed class CountingEvaluator : IEvaluator
    {
        public List<string> Calls { get; } = [];

        public EvaluationResult Evaluate(EvaluationContext context)
        {
            lock (Calls)
            {
                Calls.Add(context.DataName);
            }

            return DefaultEvaluator.Instance.Evaluate(context);
        }
    }

    [Fact]
    public async Task RunAsync_NoValidator_ScoresTrainingDataOnlyWhenItsMetricsAreRead()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 300));
        var evaluator = new CountingEvaluator();

        PipelineResult result = await new PipelineBuilder(seed: 2)
            .FromCsv(csv).Label("label")
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 10))
            .Evaluate(evaluator)
            .Build()
            .RunAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["test"], evaluator.Calls);
        Assert.Equal(result.TrainRows, result.TrainingMetrics.Rows);
        Assert.Equal(result.TrainingMetrics, result.TrainingMetrics);
        Assert.Equal(["test", "training"], evaluator.Calls);
    }

    [Fact]
    public async Task RunAsync_FitDiagnosis_ComputesTrainingMetricsOnceForValidatorAndResult()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 300));
        var evaluator = new CountingEvaluator();

        PipelineResult result = await new PipelineBuilder(seed: 2)
            .FromCsv(csv).Label("label")
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 10))
            .Evaluate(evaluator)
            .DiagnoseFit(o => o.FailOnOverfitting = false)
            .Build()
            .RunAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(result.TrainingMetrics[Metric.Auc], result.Validation!.Diagnosis!.Training);
        Assert.Equal(1, evaluator.Calls.Count(c => c == "training"));
    }
}
