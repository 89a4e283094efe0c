using MlToolkit.Data;
using MlToolkit.Pipeline;
using MlToolkit.Training;
using MlToolkit.Training.CrossValidation;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Hostile;

/// <summary>Data that leaves a run with nothing to learn from gets an error that says what happened, not a symptom.</summary>
public class PipelineHostileTests
{
    [Fact]
    public async Task RunAsync_AllLabelsMissingWithDropPolicy_SaysEveryLabelIsMissing()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", SetCells(TestData.BinaryCsv(rows: 120), "label", Enumerable.Range(0, 120), string.Empty));
        TrainingPipeline pipeline = new PipelineBuilder(seed: 1)
            .FromCsv(csv)
            .Label(new LabelOptions { Column = "label", MissingLabels = MissingLabelPolicy.Drop })
            .Train(Trainers.Binary.LightGbm())
            .Build();

        var ex = await Assert.ThrowsAsync<DataValidationException>(() => pipeline.RunAsync(cancellationToken: Ct));

        Assert.Equal(PipelineStage.DataQuality, ex.Stage);
        Assert.Equal("label", ex.Column);
        Assert.StartsWith($"All 120 rows of {csv} have no value in the label 'label', so dropping them (MissingLabels = Drop) leaves nothing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CrossValidateAsync_ThreeRows_NamesTheFoldAndWhatItLacks()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", string.Join('\n', TestData.BinaryCsv(rows: 40).Split('\n').Take(4)) + "\n");
        TrainingPipeline pipeline = new PipelineBuilder(seed: 1)
            .FromCsv(csv)
            .Label("label")
            .Train(Trainers.Binary.LightGbm())
            .CrossValidate(3)
            .Build();

        var ex = await Assert.ThrowsAsync<DataValidationException>(() => pipeline.CrossValidateAsync(cancellationToken: Ct));

        Assert.Equal(PipelineStage.CrossValidation, ex.Stage);
        Assert.Equal("label", ex.Column);
        Assert.Matches(@"^Cross-validation fold [1-3] of 3 trains on 2 of 3 rows and tests on 1: The label 'label' has only '(yes|no)'", ex.Message);
        Assert.EndsWith("With 3 rows, 3 folds leave too little in each part; use fewer folds, or more data.", ex.Message, StringComparison.Ordinal);
    }
}
