using MlToolkit.Data;
using MlToolkit.Preparation.Split;

namespace MlToolkit.Tests.Preparation.Split;

public class DataSplitterFoldsTests
{
    private const string Label = "label";
    private const string Group = "group";

    // The tables of DataSplitterTests: a shuffled label with given class sizes, and shuffled groups of 1 to 10 rows.
    private static DataTable Labelled(params int[] classCounts) => DataSplitterTests.Labelled(classCounts);

    private static (DataTable Table, string[] Groups) Grouped(int groups, int seed) => DataSplitterTests.Grouped(groups, seed);

    private static void AssertPartition(int[][] folds, int rows)
    {
        Assert.Equal(Enumerable.Range(0, rows), folds.SelectMany(f => f).Order());
        Assert.All(folds, f => Assert.Equal(f.Order(), f));
        Assert.All(folds, f => Assert.NotEmpty(f));
    }

    [Theory]
    [InlineData(100, 5)]
    [InlineData(103, 5)]
    [InlineData(10, 10)]
    [InlineData(7, 3)]
    public void Folds_Random_PartitionRowsWithSizesWithinOne(int rows, int k)
    {
        DataTable table = Labelled(rows);

        int[][] folds = DataSplitter.Folds(table, k, SplitStrategy.Random, Label, null, seed: 3);

        Assert.Equal(k, folds.Length);
        AssertPartition(folds, rows);
        Assert.Equal(rows / k, folds.Min(f => f.Length));
        Assert.Equal((rows + k - 1) / k, folds.Max(f => f.Length));
    }

    [Theory]
    [InlineData(5, 40, 25, 15)]
    [InlineData(3, 101, 7, 2)]
    [InlineData(10, 333, 17, 50)]
    public void Folds_Stratified_KeepEachClassWithinOneRowPerFold(int k, int a, int b, int c)
    {
        DataTable table = Labelled(a, b, c);
        TextColumn label = (TextColumn)table.FindColumn(Label)!;

        int[][] folds = DataSplitter.Folds(table, k, SplitStrategy.Stratified, Label, null, seed: 11);

        AssertPartition(folds, a + b + c);
        foreach ((string name, int count) in new[] { ("class0", a), ("class1", b), ("class2", c) })
        {
            int[] perFold = folds.Select(f => f.Count(r => label.FormatValue(r) == name)).ToArray();
            Assert.True(perFold.Max() - perFold.Min() <= 1, $"{name}: {string.Join(", ", perFold)} rows per fold");
            Assert.Equal(count, perFold.Sum());
        }

        Assert.True(folds.Max(f => f.Length) - folds.Min(f => f.Length) <= 1, "fold sizes differ by more than one row");
    }

    [Fact]
    public void Folds_Grouped_NeverSplitAGroupAndBalanceSizes()
    {
        (DataTable table, string[] groups) = Grouped(groups: 60, seed: 5);

        int[][] folds = DataSplitter.Folds(table, 5, SplitStrategy.Grouped, Label, Group, seed: 9);

        AssertPartition(folds, table.RowCount);
        var foldOfGroup = new Dictionary<string, int>();
        for (int f = 0; f < folds.Length; f++)
        {
            foreach (int row in folds[f])
            {
                Assert.Equal(f, foldOfGroup.TryAdd(groups[row], f) ? f : foldOfGroup[groups[row]]);
            }
        }

        Assert.Equal(60, foldOfGroup.Count);
        // Largest group first into the smallest fold: no fold is more than one largest group (10 rows) away from another.
        Assert.True(folds.Max(f => f.Length) - folds.Min(f => f.Length) <= 10);
    }

    [Theory]
    [InlineData(SplitStrategy.Random)]
    [InlineData(SplitStrategy.Stratified)]
    [InlineData(SplitStrategy.Grouped)]
    public void Folds_SameSeed_SameFoldsAndOtherSeed_OtherFolds(SplitStrategy strategy)
    {
        (DataTable table, _) = Grouped(groups: 40, seed: 1);

        int[][] first = DataSplitter.Folds(table, 4, strategy, Label, Group, seed: 21);
        int[][] again = DataSplitter.Folds(table, 4, strategy, Label, Group, seed: 21);
        int[][] other = DataSplitter.Folds(table, 4, strategy, Label, Group, seed: 22);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Folds_FewerRowsThanFolds_ThrowsNamingBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => DataSplitter.Folds(Labelled(4), 5, SplitStrategy.Random, Label, null, seed: 1));

        Assert.Contains("4 rows cannot make 5 folds", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Folds_FewerGroupsThanFolds_ThrowsNamingTheGroupColumn()
    {
        (DataTable table, _) = Grouped(groups: 3, seed: 2);

        var ex = Assert.Throws<ArgumentException>(() => DataSplitter.Folds(table, 4, SplitStrategy.Grouped, Label, Group, seed: 1));

        Assert.Contains("'group' has 3 distinct values, fewer than the 4 folds", ex.Message, StringComparison.Ordinal);
    }
}
