using MlToolkit.Data;
using MlToolkit.Pipeline;

namespace MlToolkit.Tests.Pipeline;

public class LabelEncodingTests
{
    private static DataTable Table(params DataTableColumn[] columns) => new(columns);

    [Fact]
    public void Apply_BooleanLabelWithPositiveClassFalse_InvertsFlags()
    {
        DataTable table = Table(new BooleanColumn("y", [true, false, false]), new NumberColumn("x", [1, 2, 3]));
        LabelEncoding encoding = LabelEncoding.Fit(table, new LabelOptions { Column = "y", PositiveClass = "false" }, MlTask.BinaryClassification, "test");

        DataTable encoded = encoding.Apply(table);

        Assert.Equal(["true", "false"], encoding.ClassNames);
        Assert.Equal([false, true, true], ((BooleanColumn)encoded.FindColumn("y")!).Values);
    }

    [Fact]
    public void Apply_TestValueUnseenInTraining_ThrowsNamingValueAndRow()
    {
        DataTable train = Table(new TextColumn("y", ["yes", "no", "yes"]));
        DataTable test = Table(new TextColumn("y", ["no", "maybe"]));
        LabelEncoding encoding = LabelEncoding.Fit(train, new LabelOptions { Column = "y" }, MlTask.BinaryClassification, "train.csv");

        var ex = Assert.Throws<DataValidationException>(() => encoding.Apply(test));

        Assert.Equal("y", ex.Column);
        Assert.Contains("'maybe'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("data row 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_NumericZeroOneLabel_OneIsPositive()
    {
        DataTable table = Table(new NumberColumn("y", [0, 1, 1, 0]));
        LabelEncoding encoding = LabelEncoding.Fit(table, new LabelOptions { Column = "y" }, MlTask.BinaryClassification, "t");

        DataTable encoded = encoding.Apply(table);

        Assert.Equal(["0", "1"], encoding.ClassNames);
        Assert.Equal([false, true, true, false], ((BooleanColumn)encoded.FindColumn("y")!).Values);
    }

    [Fact]
    public void Apply_MulticlassNumbers_KeysInNumericOrder()
    {
        DataTable table = Table(new NumberColumn("y", [10, 2, 2, 1]));
        LabelEncoding encoding = LabelEncoding.Fit(table, new LabelOptions { Column = "y" }, MlTask.MulticlassClassification, "t");

        DataTable encoded = encoding.Apply(table);

        Assert.Equal(["1", "2", "10"], encoding.ClassNames);
        Assert.Equal([3u, 2u, 2u, 1u], ((KeyColumn)encoded.FindColumn("y")!).Values);
    }
}
