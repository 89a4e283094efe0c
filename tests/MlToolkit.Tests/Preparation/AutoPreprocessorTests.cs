using System.Globalization;
using Microsoft.ML;
using MlToolkit.Data;
using MlToolkit.Preparation;
using static MlToolkit.Tests.Preparation.PreparationTestKit;

namespace MlToolkit.Tests.Preparation;

public class AutoPreprocessorTests
{
    private const int Rows = 120;

    private static readonly string[] Words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];

    /// <summary>One column of every kind the plan distinguishes, 120 rows.</summary>
    private static DataTable Mixed()
    {
        float[] withMissing = Enumerable.Range(0, Rows).Select(i => i % 10 == 3 ? float.NaN : i).ToArray();
        float[] full = Enumerable.Range(0, Rows).Select(i => (float)(i * 2)).ToArray();
        bool[] flag = Enumerable.Range(0, Rows).Select(i => i % 3 == 0).ToArray();
        string?[] color = Enumerable.Range(0, Rows).Select(i => new[] { "red", "green", "blue" }[i % 3]).ToArray();
        string?[] comment = Enumerable.Range(0, Rows)
            .Select(i => $"{Words[i % 8]} {Words[(i / 8) % 8]} customer {i.ToString(CultureInfo.InvariantCulture)}")
            .ToArray();
        string?[] code = Enumerable.Range(0, Rows).Select(i => "C" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        return Table(
            Numbers("withMissing", withMissing),
            Numbers("full", full),
            new BooleanColumn("flag", flag),
            Texts("color", color),
            Texts("comment", comment),
            Texts("code", code));
    }

    [Fact]
    public void Plan_MixedColumns_ChoosesTreatmentPerKindAndSkipsLabel()
    {
        IReadOnlyDictionary<string, string> plan = new AutoPreprocessor().Plan(Context(Mixed()));

        var expected = new Dictionary<string, string>
        {
            ["withMissing"] = "Impute(Mean)+Indicator",
            ["full"] = "Impute(Mean)",
            ["flag"] = "ToNumber",
            ["color"] = "OneHot",
            ["comment"] = "FeaturizeText",
            ["code"] = "Hashing",
        };
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), plan.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Plan_IndicatorsOff_PlansMeanImputationOnly()
    {
        var options = new AutoPrepareOptions { AddMissingIndicators = false };

        IReadOnlyDictionary<string, string> plan = new AutoPreprocessor(options).Plan(Context(Mixed()));

        Assert.Equal("Impute(Mean)", plan["withMissing"]);
    }

    [Fact]
    public void Plan_LowMaxOneHotCategories_HashesSingleWordCategories()
    {
        var options = new AutoPrepareOptions { MaxOneHotCategories = 2 };

        IReadOnlyDictionary<string, string> plan = new AutoPreprocessor(options).Plan(Context(Mixed()));

        Assert.Equal("Hashing", plan["color"]);
    }

    [Theory]
    [InlineData(100, "OneHot")]
    [InlineData(101, "Hashing")]
    public void Plan_DistinctCountAtAndAboveMaxOneHot_SwitchesAtTheLimit(int distinct, string expected)
    {
        DataTable table = Table(Texts("code", Enumerable.Range(0, distinct).Select(i => "k" + i.ToString(CultureInfo.InvariantCulture)).ToArray()));

        Assert.Equal(expected, new AutoPreprocessor().Plan(Context(table))["code"]);
    }

    [Fact]
    public void Plan_EmptyTrainingData_PlansOneHotAndMeanWithoutIndicator()
    {
        DataTable empty = Table(Numbers("x"), Texts("c"));

        IReadOnlyDictionary<string, string> plan = new AutoPreprocessor().Plan(Context(empty));

        Assert.Equal("Impute(Mean)", plan["x"]);
        Assert.Equal("OneHot", plan["c"]);
        Assert.False(plan.ContainsKey(Label));
    }

    [Fact]
    public void CreateEstimator_MixedColumns_ProducesOnlyNumericColumns()
    {
        DataTable train = Mixed();

        IDataView output = FitTransform(new AutoPreprocessor(new AutoPrepareOptions { HashBits = 5 }), train);

        float[] withMissing = FloatColumn(output, "withMissing");
        float[] indicator = FloatColumn(output, "withMissing_missing");
        double mean = Mean(((NumberColumn)train.FindColumn("withMissing")!).Values);
        Assert.Equal((float)mean, withMissing[3], 1e-3f);
        Assert.Equal(1f, indicator[3]);
        Assert.Equal(0f, indicator[4]);
        Assert.Equal(12, indicator.Count(v => v == 1f));
        Assert.Equal(1f, FloatColumn(output, "flag")[0]);
        Assert.Equal(0f, FloatColumn(output, "flag")[1]);
        Assert.Equal(3, VectorSize(output, "color"));
        Assert.Equal(32, VectorSize(output, "code"));
        Assert.True(VectorSize(output, "comment") > 0);
        Assert.Null(output.Schema.GetColumnOrNull("full_missing"));
    }

    [Fact]
    public void CreateEstimator_OtherTable_ImputesTrainingMean()
    {
        DataTable train = Table(Numbers("x", 2, float.NaN, 4));      // mean 3
        DataTable other = Table(Numbers("x", float.NaN, 1000, 3000)); // mean 2000

        IDataView output = FitTransform(new AutoPreprocessor(), train, other);

        Assert.Equal([3f, 1000f, 3000f], FloatColumn(output, "x"));
        Assert.Equal([1f, 0f, 0f], FloatColumn(output, "x_missing"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    public void Constructor_HashBitsOutOfRange_ThrowsArgumentOutOfRange(int bits)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AutoPreprocessor(new AutoPrepareOptions { HashBits = bits }));
    }
}
