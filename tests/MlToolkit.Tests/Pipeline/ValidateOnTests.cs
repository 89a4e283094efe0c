using MlToolkit.Evaluation;
using MlToolkit.Extraction.Csv;
using MlToolkit.Pipeline;
using MlToolkit.Training;

namespace MlToolkit.Tests.Pipeline;

public class ValidateOnTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_SeparateValidationSource_GatesJudgeOnItAndTheSplitKeepsNoValidationPart()
    {
        using TempFolder folder = TestData.TempFolder();
        string train = folder.Write("train.csv", TestData.BinaryCsv(rows: 400, seed: 1));
        string validation = folder.Write("validation.csv", TestData.BinaryCsv(rows: 150, seed: 2));

        PipelineResult result = await new PipelineBuilder(seed: 4)
            .FromCsv(train)
            .ValidateOn(CsvDataSource.FromFile(validation))
            .Label("label")
            .Split(test: 0.25, validation: 0.2) // the validation fraction gives way to the separate source
            .Train(Trainers.Binary.SdcaLogisticRegression())
            .Validate(v => v.AtLeast(Metric.Auc, 0.5))
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.Equal(150, result.ValidationRows);
        Assert.Equal(100, result.TestRows);
        Assert.Equal(300, result.TrainRows);
        Assert.Equal(550, result.Rows);
        Assert.Equal(result.ValidationMetrics![Metric.Auc], result.Validation!.Gates[0].Actual);
        Assert.Contains("on the validation data", result.Validation.Gates[0].Reason, StringComparison.Ordinal);
        Assert.NotEqual(result.Metrics[Metric.Auc], result.ValidationMetrics[Metric.Auc]);
    }

    [Fact]
    public void Build_ValidationSourceMissingAColumn_ListsTheProblemNamingTheSource()
    {
        using TempFolder folder = TestData.TempFolder();
        string train = folder.Write("train.csv", TestData.BinaryCsv(rows: 50));
        string validation = folder.Write("validation.csv", "x1,color,flag,label\n1,red,true,yes\n2,blue,false,no\n");

        var ex = Assert.Throws<PipelineValidationException>(() => new PipelineBuilder()
            .FromCsv(train)
            .ValidateOn(CsvDataSource.FromFile(validation))
            .Label("label")
            .Train(Trainers.Binary.LightGbm())
            .Build());

        Assert.Contains(ex.Problems, p => p.Contains("has no column 'x2'", StringComparison.Ordinal) && p.Contains("validation.csv", StringComparison.Ordinal));
    }
}
