using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Data;
using MlToolkit.Preparation;
using static MlToolkit.Tests.Preparation.PreparationTestKit;

namespace MlToolkit.Tests.Preparation;

public class ColumnSelectorTests
{
    private static DataTable ThreeFeatures() => Table(Numbers("a", 1, 2), Numbers("b", 3, 4), Texts("c", "x", "y"));

    private static string[] VisibleColumns(IDataView data) => [.. data.Schema.Where(c => !c.IsHidden).Select(c => c.Name)];

    [Fact]
    public void Keep_OneColumn_KeepsItAndTheLabelOnly()
    {
        IDataView output = FitTransform(ColumnSelector.Keep("b"), ThreeFeatures());

        Assert.Equal(["b", Label], VisibleColumns(output));
        Assert.Equal([3f, 4f], FloatColumn(output, "b"));
        Assert.Equal([true, false], output.GetColumn<bool>(Label).ToArray());
    }

    [Fact]
    public void Drop_OneColumn_RemovesItAndKeepsTheRestWithLabel()
    {
        IDataView output = FitTransform(ColumnSelector.Drop("a"), ThreeFeatures());

        Assert.Equal(["b", "c", Label], VisibleColumns(output));
    }

    [Fact]
    public void Keep_AllColumns_ChangesNothing()
    {
        IDataView output = FitTransform(ColumnSelector.Keep("a", "b", "c"), ThreeFeatures());

        Assert.Equal(["a", "b", "c", Label], VisibleColumns(output));
    }

    [Fact]
    public void Validate_LabelOrMissingColumn_ReportsOneProblemEach()
    {
        IReadOnlyList<string> problems = Problems(ColumnSelector.Drop(Label, "zzz"), ThreeFeatures());

        Assert.Equal(
            [
                "Drop(label, zzz): column 'label' is the label; preparation never changes the label.",
                "Drop(label, zzz): column 'zzz' does not exist; the columns are: a, b, c, label.",
            ],
            problems);
    }

    [Fact]
    public void KeepAndDrop_NoOrEmptyColumn_ThrowArgumentException()
    {
        Assert.Throws<ArgumentException>(() => ColumnSelector.Keep());
        Assert.Throws<ArgumentException>(() => ColumnSelector.Drop("a", ""));
    }

    [Fact]
    public void Name_KeepAndDrop_ListColumns()
    {
        Assert.Equal("Keep(a, b)", ColumnSelector.Keep("a", "b").Name);
        Assert.Equal("Drop(c)", ColumnSelector.Drop("c").Name);
    }
}
