using Microsoft.ML;
using MlToolkit.Data;
using MlToolkit.Preparation.Imputation;
using static MlToolkit.Tests.Preparation.PreparationTestKit;

namespace MlToolkit.Tests.Preparation.Imputation;

public class MissingValueImputerTests
{
    private static MissingValueImputer Imputer(ImputationStrategy strategy, params string[] columns)
        => Imputer(new ImputationOptions { Strategy = strategy }, columns);

    private static MissingValueImputer Imputer(ImputationOptions options, params string[] columns)
    {
        foreach (string column in columns)
        {
            options.Columns.Add(column);
        }

        return new MissingValueImputer(options);
    }

    [Fact]
    public void FitTransform_MeanNumberColumn_ReplacesNaNWithMeanAndKeepsOtherValues()
    {
        DataTable train = Table(Numbers("x", 1, 2, float.NaN, 3, 10));

        float[] x = FloatColumn(FitTransform(Imputer(ImputationStrategy.Mean, "x"), train), "x");

        Assert.Equal([1f, 2f, 4f, 3f, 10f], x);
    }

    [Fact]
    public void FitTransform_MedianOddCount_ReplacesNaNWithMiddleValue()
    {
        DataTable train = Table(Numbers("x", 10, float.NaN, 1, 2));

        float[] x = FloatColumn(FitTransform(Imputer(ImputationStrategy.Median, "x"), train), "x");

        Assert.Equal([10f, 2f, 1f, 2f], x);
    }

    [Fact]
    public void FitTransform_MedianEvenCount_ReplacesNaNWithAverageOfMiddleValues()
    {
        DataTable train = Table(Numbers("x", 10, 1, float.NaN, 3, 2));

        float[] x = FloatColumn(FitTransform(Imputer(ImputationStrategy.Median, "x"), train), "x");

        Assert.Equal([10f, 1f, 2.5f, 3f, 2f], x);
    }

    [Fact]
    public void FitTransform_MostFrequentNumbers_ReplacesNaNWithMode()
    {
        DataTable train = Table(Numbers("x", 2, 7, float.NaN, 7, 3));

        float[] x = FloatColumn(FitTransform(Imputer(ImputationStrategy.MostFrequent, "x"), train), "x");

        Assert.Equal([2f, 7f, 7f, 7f, 3f], x);
    }

    [Fact]
    public void FitTransform_MostFrequentNumbersTied_ReplacesNaNWithSmallestTiedValue()
    {
        // 5 and 1 both occur twice; 5 is seen first, 1 is the smallest.
        DataTable train = Table(Numbers("x", 5, 5, 1, 1, 3, float.NaN));

        float[] x = FloatColumn(FitTransform(Imputer(ImputationStrategy.MostFrequent, "x"), train), "x");

        Assert.Equal(1f, x[5]);
    }

    [Fact]
    public void FitTransform_MostFrequentText_ReplacesMissingWithMode()
    {
        DataTable train = Table(Texts("c", "z", "y", null, "y"));

        string[] c = TextColumn(FitTransform(Imputer(ImputationStrategy.MostFrequent, "c"), train), "c");

        Assert.Equal(["z", "y", "y", "y"], c);
    }

    [Fact]
    public void FitTransform_MostFrequentTextTied_ReplacesMissingWithOrdinallySmallest()
    {
        // "b" and "a" both occur twice ("b" first); ordinal order also puts "B" before "a", but "B" occurs once.
        DataTable train = Table(Texts("c", "b", "b", "a", "a", "B", null));

        string[] c = TextColumn(FitTransform(Imputer(ImputationStrategy.MostFrequent, "c"), train), "c");

        Assert.Equal("a", c[5]);
    }

    [Fact]
    public void FitTransform_ConstantNumber_ReplacesNaNWithConstant()
    {
        DataTable train = Table(Numbers("x", 4, float.NaN, 6));
        var options = new ImputationOptions { Strategy = ImputationStrategy.Constant, ConstantNumber = -1.5f };

        float[] x = FloatColumn(FitTransform(Imputer(options, "x"), train), "x");

        Assert.Equal([4f, -1.5f, 6f], x);
    }

    [Fact]
    public void FitTransform_ConstantText_ReplacesMissingWithConstantText()
    {
        DataTable train = Table(Texts("c", "red", null, "blue"));
        var options = new ImputationOptions { Strategy = ImputationStrategy.Constant, ConstantText = "unknown" };

        string[] c = TextColumn(FitTransform(Imputer(options, "c"), train), "c");

        Assert.Equal(["red", "unknown", "blue"], c);
    }

    [Theory]
    [InlineData("say \"hi\"")]
    [InlineData(@"C:\temp\")]
    [InlineData("ünïcödé ☃")]
    public void FitTransform_ConstantTextWithQuotesBackslashesOrUnicode_ReplacesMissingWithExactText(string constant)
    {
        DataTable train = Table(Texts("c", null, "q"));
        var options = new ImputationOptions { Strategy = ImputationStrategy.Constant, ConstantText = constant };

        string[] c = TextColumn(FitTransform(Imputer(options, "c"), train), "c");

        Assert.Equal([constant, "q"], c);
    }

    [Theory]
    [InlineData("two\nlines")]
    [InlineData("carriage\rreturn")]
    public void FitTransform_ConstantTextWithLineBreak_ReplacesMissingWithExactText(string constant)
    {
        DataTable train = Table(Texts("c", null, "q"));
        var options = new ImputationOptions { Strategy = ImputationStrategy.Constant, ConstantText = constant };

        string[] c = TextColumn(FitTransform(Imputer(options, "c"), train), "c");

        Assert.Equal([constant, "q"], c);
    }

    [Fact]
    public void FitTransform_MostFrequentTextModeWithLineBreak_ReplacesMissingWithMode()
    {
        // A quoted CSV field may span lines, so a category can contain a line break.
        DataTable train = Table(Texts("c", "123 Main St\nApt 4", "123 Main St\nApt 4", "other", null));

        string[] c = TextColumn(FitTransform(Imputer(ImputationStrategy.MostFrequent, "c"), train), "c");

        Assert.Equal("123 Main St\nApt 4", c[3]);
    }

    [Fact]
    public void FitTransform_MostFrequentTextAllMissingInTraining_FallsBackToConstantText()
    {
        DataTable train = Table(Texts("c", null, null));
        var options = new ImputationOptions { Strategy = ImputationStrategy.MostFrequent, ConstantText = "none" };

        string[] c = TextColumn(FitTransform(Imputer(options, "c"), train), "c");

        Assert.Equal(["none", "none"], c);
    }

    [Fact]
    public void FitTransform_MeanNoColumnsNamed_ImputesNumbersAndLeavesTextAlone()
    {
        DataTable train = Table(Numbers("x", 1, float.NaN, 5), Texts("c", "a", null, "a"));

        IDataView output = FitTransform(Imputer(ImputationStrategy.Mean), train);

        Assert.Equal([1f, 3f, 5f], FloatColumn(output, "x"));
        Assert.Equal(["a", "", "a"], TextColumn(output, "c"));
    }

    [Theory]
    [InlineData(1e30f)]
    [InlineData(1e-7f)]
    [InlineData(123456.79f)]
    public void FitTransform_ConstantExtremeNumbers_ReplacesNaNWithExactConstant(float constant)
    {
        DataTable train = Table(Numbers("x", float.NaN, 1));
        var options = new ImputationOptions { Strategy = ImputationStrategy.Constant, ConstantNumber = constant };

        float[] x = FloatColumn(FitTransform(Imputer(options, "x"), train), "x");

        Assert.Equal([constant, 1f], x);
    }

    [Fact]
    public void FitTransform_ConstantNoColumnsNamed_ImputesEveryNumberAndTextFeatureWithDefaults()
    {
        DataTable train = Table(Numbers("x", float.NaN, 2), Texts("c", "a", null));

        IDataView output = FitTransform(Imputer(ImputationStrategy.Constant), train);

        Assert.Equal([0f, 2f], FloatColumn(output, "x"));
        Assert.Equal(["a", "missing"], TextColumn(output, "c"));
    }

    [Fact]
    public void Constructor_ConstantNaN_ThrowsArgumentOutOfRange()
    {
        var options = new ImputationOptions { Strategy = ImputationStrategy.Constant, ConstantNumber = float.NaN };

        Assert.Throws<ArgumentOutOfRangeException>(() => new MissingValueImputer(options));
    }

    [Fact]
    public void FitTransform_AddMissingIndicatorColumnWithMissingValues_AddsZeroOneIndicator()
    {
        DataTable train = Table(Numbers("x", 1, float.NaN, 3, float.NaN), Numbers("y", 1, 2, 3, 4));
        var options = new ImputationOptions { Strategy = ImputationStrategy.Mean, AddMissingIndicator = true };

        IDataView output = FitTransform(Imputer(options), train);

        Assert.Equal([0f, 1f, 0f, 1f], FloatColumn(output, "x_missing"));
        Assert.Equal([1f, 2f, 3f, 2f], FloatColumn(output, "x"));
    }

    [Fact]
    public void FitTransform_AddMissingIndicatorColumnWithoutMissingValues_AddsNoIndicator()
    {
        DataTable train = Table(Numbers("x", 1, float.NaN, 3), Numbers("y", 1, 2, 3), Texts("c", "a", null, "b"));
        var options = new ImputationOptions { Strategy = ImputationStrategy.MostFrequent, AddMissingIndicator = true };

        IDataView output = FitTransform(Imputer(options), train);

        Assert.NotNull(output.Schema.GetColumnOrNull("x_missing"));
        Assert.Null(output.Schema.GetColumnOrNull("y_missing"));
        Assert.Null(output.Schema.GetColumnOrNull("c_missing"));
        Assert.Null(output.Schema.GetColumnOrNull("label_missing"));
    }

    [Fact]
    public void FitTransform_AddMissingIndicatorTrainingHasNoMissingButOtherDataHas_AddsNoIndicator()
    {
        DataTable train = Table(Numbers("x", 1, 2, 3));
        DataTable other = Table(Numbers("x", float.NaN, 5, float.NaN));
        var options = new ImputationOptions { Strategy = ImputationStrategy.Mean, AddMissingIndicator = true };

        IDataView output = FitTransform(Imputer(options, "x"), train, other);

        Assert.Null(output.Schema.GetColumnOrNull("x_missing"));
        Assert.Equal([2f, 5f, 2f], FloatColumn(output, "x"));
    }

    [Fact]
    public void FitTransform_AddMissingIndicatorOtherData_FlagsOtherDataMissingRows()
    {
        DataTable train = Table(Numbers("x", 1, float.NaN, 3));
        DataTable other = Table(Numbers("x", 7, float.NaN, float.NaN, 8));
        var options = new ImputationOptions { Strategy = ImputationStrategy.Mean, AddMissingIndicator = true };

        IDataView output = FitTransform(Imputer(options, "x"), train, other);

        Assert.Equal([0f, 1f, 1f, 0f], FloatColumn(output, "x_missing"));
        Assert.Equal([7f, 2f, 2f, 8f], FloatColumn(output, "x"));
    }

    [Fact]
    public void FitTransform_MeanOnOtherTable_ImputesTrainingMeanNotOtherOrUnionMean()
    {
        DataTable train = Table(Numbers("x", 1, 2, 3, float.NaN, 4));            // mean 2.5
        DataTable other = Table(Numbers("x", 100, float.NaN, 300, float.NaN)); // mean 200; union mean 68.33

        float[] x = FloatColumn(FitTransform(Imputer(ImputationStrategy.Mean, "x"), train, other), "x");

        Assert.Equal([100f, 2.5f, 300f, 2.5f], x);
    }

    [Fact]
    public void FitTransform_MedianOnOtherTable_ImputesTrainingMedianNotOtherOrUnionMedian()
    {
        DataTable train = Table(Numbers("x", 9, 1, float.NaN, 5));                   // median 5
        DataTable other = Table(Numbers("x", 100, float.NaN, 300, 200, float.NaN)); // median 200; union median 9

        float[] x = FloatColumn(FitTransform(Imputer(ImputationStrategy.Median, "x"), train, other), "x");

        Assert.Equal([100f, 5f, 300f, 200f, 5f], x);
    }

    [Fact]
    public void FitTransform_MostFrequentNumberOnOtherTable_ImputesTrainingMode()
    {
        DataTable train = Table(Numbers("x", 4, 4, 1, float.NaN));
        DataTable other = Table(Numbers("x", 9, 9, 9, float.NaN));

        float[] x = FloatColumn(FitTransform(Imputer(ImputationStrategy.MostFrequent, "x"), train, other), "x");

        Assert.Equal([9f, 9f, 9f, 4f], x);
    }

    [Fact]
    public void FitTransform_MostFrequentTextOnOtherTable_ImputesTrainingMode()
    {
        DataTable train = Table(Texts("c", "red", "red", "blue", null));
        DataTable other = Table(Texts("c", "green", "green", "green", null));

        string[] c = TextColumn(FitTransform(Imputer(ImputationStrategy.MostFrequent, "c"), train, other), "c");

        Assert.Equal(["green", "green", "green", "red"], c);
    }

    [Fact]
    public void Validate_MeanOnTextColumn_ReportsOneProblem()
    {
        DataTable table = Table(Numbers("x", 1, 2), Texts("c", "a", "b"));

        IReadOnlyList<string> problems = Problems(Imputer(ImputationStrategy.Mean, "c"), table);

        string problem = Assert.Single(problems);
        Assert.Equal("ImputeMean(c): column 'c' is text, but this step needs a numeric column (mean and median do not apply to text).", problem);
    }

    [Fact]
    public void Validate_MedianOnTextColumn_ReportsProblem()
    {
        DataTable table = Table(Texts("c", "a", "b"));

        string problem = Assert.Single(Problems(Imputer(ImputationStrategy.Median, "c"), table));

        Assert.Contains("column 'c' is text", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingColumn_ReportsProblemListingColumns()
    {
        DataTable table = Table(Numbers("x", 1, 2), Texts("c", "a", "b"));

        string problem = Assert.Single(Problems(Imputer(ImputationStrategy.Mean, "nope"), table));

        Assert.Equal("ImputeMean(nope): column 'nope' does not exist; the columns are: x, c, label.", problem);
    }

    [Fact]
    public void Validate_LabelColumn_ReportsProblem()
    {
        DataTable table = Table(Numbers("x", 1, 2));

        string problem = Assert.Single(Problems(Imputer(ImputationStrategy.MostFrequent, Label), table));

        Assert.Equal("ImputeMostFrequent(label): column 'label' is the label; preparation never changes the label.", problem);
    }

    [Fact]
    public void Validate_MostFrequentAndConstantOnText_ReportNoProblem()
    {
        DataTable table = Table(Numbers("x", 1, 2), Texts("c", "a", "b"));

        Assert.Empty(Problems(Imputer(ImputationStrategy.MostFrequent, "x", "c"), table));
        Assert.Empty(Problems(Imputer(ImputationStrategy.Constant, "x", "c"), table));
    }

    [Fact]
    public void Name_WithColumnsAndIndicator_DescribesStep()
    {
        var options = new ImputationOptions { Strategy = ImputationStrategy.Median, AddMissingIndicator = true };

        Assert.Equal("ImputeMedian(x, y, +indicator)", Imputer(options, "x", "y").Name);
        Assert.Equal("ImputeMean(all)", Imputer(ImputationStrategy.Mean).Name);
    }
}
