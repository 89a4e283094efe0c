using MlToolkit.Extraction.Csv;
using MlToolkit.Extraction.InMemory;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;

namespace MlToolkit.Tests.Pipeline;

public class BuildValidationTests
{
    [Fact]
    public void Build_NoSourceLabelOrTrainer_OneExceptionListsAllThree()
    {
        var ex = Assert.Throws<PipelineValidationException>(() => new PipelineBuilder().Build());

        Assert.Equal(3, ex.Problems.Count);
        Assert.StartsWith("No data source", ex.Problems[0], StringComparison.Ordinal);
        Assert.StartsWith("No label", ex.Problems[1], StringComparison.Ordinal);
        Assert.StartsWith("No trainer", ex.Problems[2], StringComparison.Ordinal);
        Assert.Contains("(3 problems)", ex.Message, StringComparison.Ordinal);
        Assert.All(ex.Problems, p => Assert.Contains("  - " + p, ex.Message, StringComparison.Ordinal));
        Assert.Equal(PipelineStage.Build, ex.Stage);
    }

    [Fact]
    public void Build_OnlyTrainerMissing_ListsOnlyThatProblem()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 20));

        var ex = Assert.Throws<PipelineValidationException>(() => new PipelineBuilder().FromCsv(csv).Label("label").Build());

        string problem = Assert.Single(ex.Problems);
        Assert.Contains("Train(", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("problems)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_MisspeltLabel_SuggestsTheColumn()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 20));

        var ex = Assert.Throws<PipelineValidationException>(() => new PipelineBuilder()
            .FromCsv(csv).Label("lable").Train(Trainers.Binary.LightGbm()).Build());

        string problem = Assert.Single(ex.Problems);
        Assert.Contains("'lable' does not exist", problem, StringComparison.Ordinal);
        Assert.Contains("(did you mean 'label'?)", problem, StringComparison.Ordinal);
        Assert.Contains("x1, x2, color, flag, label", problem, StringComparison.Ordinal);
        Assert.Equal(csv, ex.DataSource);
    }

    [Fact]
    public void Build_TextLabelForRegression_NamesLabelAndNeededType()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 20));

        var ex = Assert.Throws<PipelineValidationException>(() => new PipelineBuilder()
            .FromCsv(csv).Label("color").Train(Trainers.Regression.Sdca()).Build());

        string problem = Assert.Single(ex.Problems);
        Assert.Equal("The label 'color' is text, but a Regression trainer needs a number.", problem);
    }

    [Fact]
    public void Build_IgnoredColumnDoesNotExist_ListsIt()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 20));

        var ex = Assert.Throws<PipelineValidationException>(() => new PipelineBuilder()
            .FromCsv(csv).Label("label").Ignore("colour", "nothing_like_it").Train(Trainers.Binary.LightGbm()).Build());

        Assert.Equal(2, ex.Problems.Count);
        Assert.Equal("The ignored column 'colour' does not exist (did you mean 'color'?).", ex.Problems[0]);
        Assert.Equal("The ignored column 'nothing_like_it' does not exist.", ex.Problems[1]);
    }

    [Fact]
    public void Build_TestFractionZeroWithoutTestOn_ReportsNoTestData()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 20));

        var ex = Assert.Throws<PipelineValidationException>(() => new PipelineBuilder()
            .FromCsv(csv).Label("label").Split(test: 0).Train(Trainers.Binary.LightGbm()).Build());

        string problem = Assert.Single(ex.Problems);
        Assert.StartsWith("No test data", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_TestFractionZeroWithTestOn_Builds()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 20));
        string test = folder.Write("test.csv", TestData.BinaryCsv(rows: 10, seed: 5));

        TrainingPipeline pipeline = new PipelineBuilder()
            .FromCsv(csv).TestOn(CsvDataSource.FromFile(test)).Label("label").Split(test: 0).Train(Trainers.Binary.LightGbm()).Build();

        StageDescription split = pipeline.Describe().Single(s => s.Stage == PipelineStage.Split);
        Assert.StartsWith("test 0, validation 0", split.Details, StringComparison.Ordinal);
        Assert.Equal($"test: {test}", pipeline.Describe()[0].Details);
    }

    [Fact]
    public void Build_LabelAlsoIgnored_ReportsIt()
    {
        var ex = Assert.Throws<PipelineValidationException>(() => new PipelineBuilder()
            .From(new EnumerableDataSource<object>([]))
            .Label("label").Ignore("label").Train(Trainers.Binary.LightGbm()).Build());

        Assert.Contains("The label 'label' is also ignored.", ex.Problems);
    }

    [Fact]
    public void Build_TextColumnWithoutEncodingStep_NamesTheColumn()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 20));

        var ex = Assert.Throws<PipelineValidationException>(() => new PipelineBuilder()
            .FromCsv(csv).Label("label").Prepare(p => p.ImputeMissing()).Train(Trainers.Binary.LightGbm()).Build());

        string problem = Assert.Single(ex.Problems);
        Assert.StartsWith("Column 'color' is text and no preparation step turns it into numbers", problem, StringComparison.Ordinal);
        Assert.Contains("OneHotEncode(\"color\")", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_TextColumnEncoded_Builds()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 20));

        TrainingPipeline pipeline = new PipelineBuilder(seed: 3)
            .FromCsv(csv).Label("label").Prepare(p => p.ImputeMissing().OneHotEncode("color")).Train(Trainers.Binary.LightGbm()).Build();

        Assert.Equal(3, pipeline.Seed);
        Assert.Equal(MlTask.BinaryClassification, pipeline.Task);
    }

    [Fact]
    public void Verbs_AfterBuild_ThrowInvalidOperationException()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 20));
        PipelineBuilder builder = new PipelineBuilder().FromCsv(csv).Label("label").Train(Trainers.Binary.LightGbm());
        builder.Build();

        Assert.Throws<InvalidOperationException>(() => builder.Prepare(p => p.ImputeMissing()));
        Assert.Throws<InvalidOperationException>(() => builder.Label("x1"));
        Assert.Throws<InvalidOperationException>(() => builder.Train(Trainers.Binary.FastTree()));
        Assert.Throws<InvalidOperationException>(() => builder.SaveModelTo(new LocalArtifactStore(folder.Path)));
        Assert.Throws<InvalidOperationException>(() => builder.Validate(v => v.AtLeast("auc", 0.5)));
        Assert.Throws<InvalidOperationException>(() => builder.Ignore("x1"));
        Assert.Throws<InvalidOperationException>(() => builder.Split(0.3));
        Assert.Throws<InvalidOperationException>(() => builder.ForceDeployment());
        Assert.Throws<InvalidOperationException>(builder.Build);
    }

    [Fact]
    public void Split_InvalidFractions_ThrowsArgumentExceptionAtOnce()
    {
        var builder = new PipelineBuilder();

        var ex = Assert.Throws<ArgumentException>(() => builder.Split(test: 1.5));

        Assert.Contains("TestFraction is 1.5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_FullPipeline_ListsStagesInOrderWithNames()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 20));
        var store = new LocalArtifactStore(folder.Path);

        TrainingPipeline pipeline = new PipelineBuilder(seed: 9)
            .FromCsv(csv)
            .Label("label")
            .Ignore("flag")
            .Prepare(p => p.ImputeMissing().OneHotEncode("color"))
            .Split(test: 0.25)
            .Train(Trainers.Binary.LightGbm())
            .Validate(v => v.AtLeast("auc", 0.7))
            .SaveModelTo(store, "m/model.zip")
            .Build();
        IReadOnlyList<StageDescription> stages = pipeline.Describe();

        Assert.Equal(
            [
                PipelineStage.Extraction, PipelineStage.DataQuality, PipelineStage.Split, PipelineStage.Preparation, PipelineStage.Preparation,
                PipelineStage.Training, PipelineStage.Evaluation, PipelineStage.Validation, PipelineStage.Deployment,
            ],
            stages.Select(s => s.Stage));
        Assert.Equal(csv, stages[0].Name);
        Assert.Equal("label 'label', missing labels: Fail, ignored: flag", stages[1].Details);
        Assert.Equal(("Stratified", "test 0.25, validation 0, seed 9"), (stages[2].Name, stages[2].Details));
        Assert.Equal("ImputeMean(all)", stages[3].Name);
        Assert.Equal("OneHot(color)", stages[4].Name);
        Assert.Equal(("LightGbm", "BinaryClassification"), (stages[5].Name, stages[5].Details));
        Assert.Equal("DefaultEvaluator", stages[6].Name);
        Assert.Equal(("MetricGateValidator", "auc >= 0.7"), (stages[7].Name, stages[7].Details));
        Assert.Equal(("ModelFileDeployer", $"SaveModel({store.GetPath("m/model.zip")})"), (stages[8].Name, stages[8].Details));
        Assert.Equal("Training: LightGbm (BinaryClassification)", stages[5].ToString());
        Assert.Equal(string.Join(Environment.NewLine, stages), pipeline.ToString());
    }

    [Fact]
    public void Describe_NoPreparation_UsesAutoPrepareAndRandomSplitForRegression()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.RegressionCsv(rows: 20));

        TrainingPipeline pipeline = new PipelineBuilder().FromCsv(csv).Label("y").Train(Trainers.Regression.Sdca()).Build();
        IReadOnlyList<StageDescription> stages = pipeline.Describe();

        Assert.Equal(["Extraction", "DataQuality", "Split", "Preparation", "Training", "Evaluation"], stages.Select(s => s.Stage.ToString()));
        Assert.Equal("Random", stages[2].Name);
        Assert.Equal("AutoPrepare", stages[3].Name);
        Assert.Equal("Sdca", stages[4].Name);
    }
}
