using MlToolkit.Pipeline;
using MlToolkit.Preparation.Split;

namespace MlToolkit.Tests.Preparation.Split;

public class SplitOptionsTests
{
    [Fact]
    public void Validate_Defaults_ReportsNothing()
    {
        var options = new SplitOptions();

        Assert.Empty(options.Validate());
        Assert.Equal(0.2, options.TestFraction);
        Assert.Equal(0, options.ValidationFraction);
        Assert.Equal(SplitStrategy.Auto, options.Strategy);
    }

    [Fact]
    public void Validate_TestFractionAboveOne_ReportsRangeAndNoTrainingRows()
    {
        var options = new SplitOptions { TestFraction = 1.5 };

        Assert.Equal(
            [
                $"Split: TestFraction is {1.5}; it must be in [0, 1), for example 0.2.",
                $"Split: TestFraction ({1.5}) + ValidationFraction ({0d}) leave no rows for training.",
            ],
            options.Validate());
    }

    [Fact]
    public void Validate_NegativeTestFraction_ReportsRange()
    {
        var options = new SplitOptions { TestFraction = -0.1 };

        string problem = Assert.Single(options.Validate());
        Assert.Equal($"Split: TestFraction is {-0.1}; it must be in [0, 1), for example 0.2.", problem);
    }

    [Fact]
    public void Validate_NaNTestFraction_ReportsRange()
    {
        var options = new SplitOptions { TestFraction = double.NaN };

        string problem = Assert.Single(options.Validate());
        Assert.StartsWith("Split: TestFraction is ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ValidationFractionOne_ReportsRangeAndNoTrainingRows()
    {
        var options = new SplitOptions { TestFraction = 0, ValidationFraction = 1 };

        Assert.Equal(
            [
                "Split: ValidationFraction is 1; it must be in [0, 1), for example 0.1.",
                "Split: TestFraction (0) + ValidationFraction (1) leave no rows for training.",
            ],
            options.Validate());
    }

    [Fact]
    public void Validate_FractionsSummingToOne_ReportsNoTrainingRows()
    {
        var options = new SplitOptions { TestFraction = 0.5, ValidationFraction = 0.5 };

        string problem = Assert.Single(options.Validate());
        Assert.Equal($"Split: TestFraction ({0.5}) + ValidationFraction ({0.5}) leave no rows for training.", problem);
    }

    [Fact]
    public void Validate_FractionsJustBelowOne_ReportsNothing()
    {
        var options = new SplitOptions { TestFraction = 0.5, ValidationFraction = 0.49 };

        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Validate_GroupedWithoutGroupColumn_ReportsMissingGroupColumn()
    {
        var options = new SplitOptions { Strategy = SplitStrategy.Grouped };

        string problem = Assert.Single(options.Validate());
        Assert.Equal("Split: the Grouped strategy needs a GroupColumn.", problem);
    }

    [Fact]
    public void Validate_GroupedWithBlankGroupColumn_ReportsMissingGroupColumn()
    {
        var options = new SplitOptions { Strategy = SplitStrategy.Grouped, GroupColumn = "  " };

        Assert.Equal(["Split: the Grouped strategy needs a GroupColumn."], options.Validate());
    }

    [Fact]
    public void Validate_GroupColumnWithRandomStrategy_ReportsUnusedGroupColumn()
    {
        var options = new SplitOptions { Strategy = SplitStrategy.Random, GroupColumn = "customer" };

        string problem = Assert.Single(options.Validate());
        Assert.Equal("Split: GroupColumn 'customer' is set but the strategy is Random; use SplitStrategy.Grouped.", problem);
    }

    [Fact]
    public void Validate_GroupedWithGroupColumn_ReportsNothing()
    {
        var options = new SplitOptions { Strategy = SplitStrategy.Grouped, GroupColumn = "customer", TestFraction = 0.3, ValidationFraction = 0.2 };

        Assert.Empty(options.Validate());
    }

    [Fact]
    public void PipelineBuilderSplit_TestFractionAboveOne_ThrowsArgumentExceptionListingProblems()
    {
        var builder = new PipelineBuilder(seed: 1);

        ArgumentException ex = Assert.Throws<ArgumentException>(() => builder.Split(test: 1.5));

        Assert.Equal("options", ex.ParamName);
        Assert.Contains($"Split: TestFraction is {1.5}; it must be in [0, 1), for example 0.2.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("leave no rows for training.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PipelineBuilderSplit_TestPlusValidationOne_ThrowsArgumentException()
    {
        var builder = new PipelineBuilder(seed: 1);

        ArgumentException ex = Assert.Throws<ArgumentException>(() => builder.Split(test: 0.5, validation: 0.5));

        Assert.StartsWith($"Split: TestFraction ({0.5}) + ValidationFraction ({0.5}) leave no rows for training.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PipelineBuilderSplit_GroupedWithoutGroupColumn_ThrowsArgumentException()
    {
        var builder = new PipelineBuilder(seed: 1);

        ArgumentException ex = Assert.Throws<ArgumentException>(() => builder.Split(strategy: SplitStrategy.Grouped));

        Assert.StartsWith("Split: the Grouped strategy needs a GroupColumn.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PipelineBuilderSplit_OptionsObjectWithGroupColumnButRandom_ThrowsArgumentException()
    {
        var builder = new PipelineBuilder(seed: 1);
        var options = new SplitOptions { Strategy = SplitStrategy.Random, GroupColumn = "g" };

        ArgumentException ex = Assert.Throws<ArgumentException>(() => builder.Split(options));

        Assert.StartsWith("Split: GroupColumn 'g' is set but the strategy is Random; use SplitStrategy.Grouped.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PipelineBuilderSplit_ValidOptions_ReturnsSameBuilder()
    {
        var builder = new PipelineBuilder(seed: 1);

        Assert.Same(builder, builder.Split(test: 0.3, validation: 0.2, strategy: SplitStrategy.Grouped, groupColumn: "g"));
    }
}
