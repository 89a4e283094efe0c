using Microsoft.ML;
using MlToolkit.Data;
using MlToolkit.Preparation.Scaling;
using static MlToolkit.Tests.Preparation.PreparationTestKit;

namespace MlToolkit.Tests.Preparation.Scaling;

public class ScalerTests
{
    private static Scaler Scaler(ScalingMethod method, params string[] columns)
    {
        var options = new ScalingOptions { Method = method };
        foreach (string column in columns)
        {
            options.Columns.Add(column);
        }

        return new Scaler(options);
    }

    [Fact]
    public void FitTransform_MinMaxTrainingData_MapsMinToZeroAndMaxToOne()
    {
        DataTable train = Table(Numbers("x", 20, 10, 30, 15));

        float[] x = FloatColumn(FitTransform(Scaler(ScalingMethod.MinMax, "x"), train), "x");

        Assert.Equal([0.5f, 0f, 1f, 0.25f], x);
    }

    [Fact]
    public void FitTransform_MinMaxOtherData_UsesTrainingMinAndMax()
    {
        // Training minimum 0 and maximum 10; the other data's range is -5..20.
        DataTable train = Table(Numbers("x", 0, 10, 5));
        DataTable other = Table(Numbers("x", 5, 20, -5));

        float[] x = FloatColumn(FitTransform(Scaler(ScalingMethod.MinMax, "x"), train, other), "x");

        Assert.Equal([0.5f, 2f, -0.5f], x);
    }

    [Fact]
    public void FitTransform_MinMaxOtherDataWithOffsetRange_UsesTrainingMinAndMax()
    {
        DataTable train = Table(Numbers("x", 10, 30));
        DataTable other = Table(Numbers("x", 20, 40));

        float[] x = FloatColumn(FitTransform(Scaler(ScalingMethod.MinMax, "x"), train, other), "x");

        Assert.Equal(0.5f, x[0], 1e-5f);
        Assert.Equal(1.5f, x[1], 1e-5f);
    }

    [Fact]
    public void FitTransform_StandardTrainingData_GivesMeanZero()
    {
        DataTable train = Table(Numbers("x", 10, 20, 30, 40));

        float[] x = FloatColumn(FitTransform(Scaler(ScalingMethod.Standard, "x"), train), "x");

        Assert.Equal(0, Mean(x), 1e-5);
        Assert.Equal(-x[3], x[0], 1e-5f);
    }

    [Fact]
    public void FitTransform_StandardTrainingDataAroundZero_GivesUnitVariance()
    {
        // Mean 0 and population standard deviation 2, so every value becomes -1 or 1.
        DataTable train = Table(Numbers("x", -2, 2, -2, 2));

        float[] x = FloatColumn(FitTransform(Scaler(ScalingMethod.Standard, "x"), train), "x");

        Assert.Equal([-1f, 1f, -1f, 1f], x);
        double populationVariance = x.Select(v => (double)v * v).Sum() / x.Length;
        Assert.Equal(1, populationVariance, 1e-6);
    }

    [Fact]
    public void FitTransform_StandardOtherData_UsesTrainingStatistics()
    {
        // Training mean 0 and population standard deviation 2; the other data's are 50 and 50.
        DataTable train = Table(Numbers("x", -2, 2, -2, 2));
        DataTable other = Table(Numbers("x", 0, 100));

        float[] x = FloatColumn(FitTransform(Scaler(ScalingMethod.Standard, "x"), train, other), "x");

        Assert.Equal(0f, x[0], 1e-5f);
        Assert.Equal(50f, x[1], 1e-4f);
    }

    [Fact]
    public void FitTransform_MinMaxNoColumnsNamed_ScalesEveryNumericFeatureButNotText()
    {
        DataTable train = Table(Numbers("x", 0, 4), Numbers("y", 0, 8), Texts("c", "a", "b"));

        IDataView output = FitTransform(Scaler(ScalingMethod.MinMax), train);

        Assert.Equal([0f, 1f], FloatColumn(output, "x"));
        Assert.Equal([0f, 1f], FloatColumn(output, "y"));
        Assert.Equal(["a", "b"], TextColumn(output, "c"));
    }

    [Fact]
    public void Validate_TextColumn_ReportsProblem()
    {
        DataTable table = Table(Texts("c", "a", "b"));

        string problem = Assert.Single(Problems(Scaler(ScalingMethod.MinMax, "c"), table));

        Assert.Equal("ScaleMinMax(c): column 'c' is text, but this step needs a numeric column.", problem);
    }
}
