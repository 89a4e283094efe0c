using System.Globalization;
using MlToolkit.Data;
using MlToolkit.Preparation.Split;

namespace MlToolkit.Tests.Preparation.Split;

public class DataSplitterTests
{
    private const string Label = "label";
    private const string Group = "group";

    /// <summary>A table with a numeric feature, a text label cycling through <paramref name="classCounts"/> and no group.</summary>
    internal static DataTable Labelled(params int[] classCounts)
    {
        var labels = new List<string?>();
        for (int k = 0; k < classCounts.Length; k++)
        {
            labels.AddRange(Enumerable.Repeat<string?>("class" + k.ToString(CultureInfo.InvariantCulture), classCounts[k]));
        }

        // Interleave the classes so that the stratified split cannot rely on row order.
        string?[] shuffled = [.. labels];
        new Random(99).Shuffle(shuffled);
        float[] x = Enumerable.Range(0, shuffled.Length).Select(i => (float)i).ToArray();
        return new DataTable([new NumberColumn("x", x), new TextColumn(Label, shuffled)]);
    }

    private static DataTable Plain(int rows) => Labelled(rows / 2, rows - (rows / 2));

    /// <summary>A table whose rows form groups of 1 to 10 rows, in shuffled order.</summary>
    internal static (DataTable Table, string[] Groups) Grouped(int groups, int seed)
    {
        var random = new Random(seed);
        var keys = new List<string>();
        for (int g = 0; g < groups; g++)
        {
            keys.AddRange(Enumerable.Repeat("g" + g.ToString(CultureInfo.InvariantCulture), random.Next(1, 11)));
        }

        string[] shuffled = [.. keys];
        random.Shuffle(shuffled);
        string?[] labels = shuffled.Select((_, i) => i % 2 == 0 ? "yes" : "no").ToArray();
        var table = new DataTable([new TextColumn(Group, [.. shuffled]), new TextColumn(Label, labels)]);
        return (table, shuffled);
    }

    private static SplitIndexes Split(DataTable table, double test, double validation, SplitStrategy strategy, int seed = 1, string? group = null)
        => DataSplitter.Split(table, new SplitOptions { TestFraction = test, ValidationFraction = validation, Strategy = strategy == SplitStrategy.Grouped ? strategy : SplitStrategy.Auto, GroupColumn = group }, strategy, Label, seed);

    private static void AssertPartition(SplitIndexes parts, int rows)
    {
        int[] all = [.. parts.Train, .. parts.Validation, .. parts.Test];
        Assert.Equal(rows, all.Length);
        Assert.Equal(Enumerable.Range(0, rows), all.Order());
        Assert.Equal(parts.Train.Order(), parts.Train);
        Assert.Equal(parts.Validation.Order(), parts.Validation);
        Assert.Equal(parts.Test.Order(), parts.Test);
    }

    [Theory]
    [InlineData(100, 0.2, 0.1, 70, 10, 20)]
    [InlineData(10, 0.25, 0.0, 7, 0, 3)]   // 2.5 rounds away from zero
    [InlineData(7, 0.3, 0.3, 3, 2, 2)]     // 2.1 rounds to 2
    [InlineData(50, 0.5, 0.0, 25, 0, 25)]
    public void Split_Random_PartSizesAreRoundedFractions(int rows, double test, double validation, int train, int validationRows, int testRows)
    {
        SplitIndexes parts = Split(Plain(rows), test, validation, SplitStrategy.Random);

        Assert.Equal(train, parts.Train.Length);
        Assert.Equal(validationRows, parts.Validation.Length);
        Assert.Equal(testRows, parts.Test.Length);
        AssertPartition(parts, rows);
    }

    [Theory]
    [InlineData(SplitStrategy.Random)]
    [InlineData(SplitStrategy.Stratified)]
    public void Split_SameSeed_GivesSameIndexes(SplitStrategy strategy)
    {
        DataTable table = Labelled(40, 25, 15);

        SplitIndexes first = Split(table, 0.2, 0.1, strategy, seed: 42);
        SplitIndexes second = Split(table, 0.2, 0.1, strategy, seed: 42);

        Assert.Equal(first.Train, second.Train);
        Assert.Equal(first.Validation, second.Validation);
        Assert.Equal(first.Test, second.Test);
    }

    [Theory]
    [InlineData(SplitStrategy.Random)]
    [InlineData(SplitStrategy.Stratified)]
    public void Split_DifferentSeed_GivesDifferentIndexes(SplitStrategy strategy)
    {
        DataTable table = Labelled(40, 25, 15);

        SplitIndexes first = Split(table, 0.2, 0.1, strategy, seed: 1);
        SplitIndexes second = Split(table, 0.2, 0.1, strategy, seed: 2);

        Assert.NotEqual(first.Test, second.Test);
        Assert.NotEqual(first.Train, second.Train);
    }

    [Fact]
    public void Split_Grouped_SameSeedSameIndexesDifferentSeedDifferent()
    {
        (DataTable table, _) = Grouped(groups: 40, seed: 5);

        SplitIndexes first = Split(table, 0.2, 0.1, SplitStrategy.Grouped, seed: 3, group: Group);
        SplitIndexes again = Split(table, 0.2, 0.1, SplitStrategy.Grouped, seed: 3, group: Group);
        SplitIndexes other = Split(table, 0.2, 0.1, SplitStrategy.Grouped, seed: 4, group: Group);

        Assert.Equal(first.Test, again.Test);
        Assert.Equal(first.Validation, again.Validation);
        Assert.NotEqual(first.Test, other.Test);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Split_Stratified_KeepsEachClassRatioWithinOneRowInEveryPart(int seed)
    {
        int[] classCounts = [53, 31, 16];
        DataTable table = Labelled(classCounts);
        var label = (TextColumn)table.FindColumn(Label)!;
        int rows = classCounts.Sum();

        SplitIndexes parts = Split(table, 0.2, 0.1, SplitStrategy.Stratified, seed);

        AssertPartition(parts, rows);
        Assert.Equal(20, parts.Test.Length);    // 10.6 + 6.2 + 3.2 rounded per class: 11 + 6 + 3
        Assert.Equal(10, parts.Validation.Length); // 5.3 + 3.1 + 1.6: 5 + 3 + 2
        foreach (int[] part in new[] { parts.Train, parts.Validation, parts.Test })
        {
            for (int k = 0; k < classCounts.Length; k++)
            {
                string name = "class" + k.ToString(CultureInfo.InvariantCulture);
                int inPart = part.Count(r => label.Values[r] == name);
                double expected = part.Length * (double)classCounts[k] / rows;
                Assert.InRange(inPart, expected - 1, expected + 1);
            }
        }
    }

    [Fact]
    public void Split_Stratified_PerClassCountsAreRoundedFractionsOfEachClass()
    {
        DataTable table = Labelled(53, 31, 16);
        var label = (TextColumn)table.FindColumn(Label)!;

        SplitIndexes parts = Split(table, 0.2, 0.1, SplitStrategy.Stratified, seed: 7);

        Assert.Equal(11, parts.Test.Count(r => label.Values[r] == "class0"));
        Assert.Equal(6, parts.Test.Count(r => label.Values[r] == "class1"));
        Assert.Equal(3, parts.Test.Count(r => label.Values[r] == "class2"));
        Assert.Equal(5, parts.Validation.Count(r => label.Values[r] == "class0"));
        Assert.Equal(3, parts.Validation.Count(r => label.Values[r] == "class1"));
        Assert.Equal(2, parts.Validation.Count(r => label.Values[r] == "class2"));
    }

    [Fact]
    public void Split_StratifiedTinyClasses_KeepsAtLeastOneRowOfEachClassForTraining()
    {
        DataTable table = Labelled(30, 2, 1);
        var label = (TextColumn)table.FindColumn(Label)!;

        SplitIndexes parts = Split(table, 0.4, 0.4, SplitStrategy.Stratified);

        AssertPartition(parts, 33);
        Assert.Equal(1, parts.Train.Count(r => label.Values[r] == "class1"));
        Assert.Equal(1, parts.Train.Count(r => label.Values[r] == "class2"));
        Assert.Equal(1, parts.Test.Count(r => label.Values[r] == "class1"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Split_Grouped_NeverSplitsAGroupAndApproachesFractions(int seed)
    {
        (DataTable table, string[] groups) = Grouped(groups: 60, seed: seed);
        int rows = table.RowCount;
        int largestGroup = groups.GroupBy(g => g, StringComparer.Ordinal).Max(g => g.Count());

        SplitIndexes parts = Split(table, 0.2, 0.1, SplitStrategy.Grouped, seed, Group);

        AssertPartition(parts, rows);
        var partOf = new Dictionary<string, int>(StringComparer.Ordinal);
        int[][] all = [parts.Train, parts.Validation, parts.Test];
        for (int p = 0; p < all.Length; p++)
        {
            foreach (int row in all[p])
            {
                Assert.Equal(p, partOf.TryAdd(groups[row], p) ? p : partOf[groups[row]]);
            }
        }

        Assert.InRange(parts.Test.Length, (rows * 0.2) - largestGroup, (rows * 0.2) + largestGroup);
        Assert.InRange(parts.Validation.Length, (rows * 0.1) - largestGroup, (rows * 0.1) + largestGroup);
    }

    [Fact]
    public void Split_GroupedByNumberColumn_KeepsEqualNumbersTogether()
    {
        float[] keys = Enumerable.Range(0, 60).Select(i => (float)(i % 12)).ToArray();
        string?[] labels = keys.Select((_, i) => i % 2 == 0 ? "a" : "b").ToArray();
        var table = new DataTable([new NumberColumn(Group, keys), new TextColumn(Label, labels)]);

        SplitIndexes parts = Split(table, 0.25, 0, SplitStrategy.Grouped, seed: 9, group: Group);

        AssertPartition(parts, 60);
        Assert.Empty(parts.Train.Select(r => keys[r]).Intersect(parts.Test.Select(r => keys[r])));
        Assert.Equal(15, parts.Test.Length); // 12 groups of 5 rows: exactly three groups reach the target
    }

    [Fact]
    public void Split_GroupedWithMissingKeys_KeepsAllMissingKeyRowsTogether()
    {
        string?[] keys = Enumerable.Range(0, 40).Select(i => i % 4 == 0 ? null : "g" + (i % 7).ToString(CultureInfo.InvariantCulture)).ToArray();
        string?[] labels = keys.Select((_, i) => i % 2 == 0 ? "a" : "b").ToArray();
        var table = new DataTable([new TextColumn(Group, keys), new TextColumn(Label, labels)]);
        int[] missingRows = [.. Enumerable.Range(0, 40).Where(i => keys[i] is null)];

        for (int seed = 1; seed <= 5; seed++)
        {
            SplitIndexes parts = Split(table, 0.3, 0, SplitStrategy.Grouped, seed, Group);

            AssertPartition(parts, 40);
            Assert.True(missingRows.All(parts.Train.Contains) || missingRows.All(parts.Test.Contains), $"seed {seed}: the rows without a group key were split");
        }
    }

    [Fact]
    public void Split_GroupedMissingColumn_ThrowsArgumentException()
    {
        DataTable table = Plain(10);

        Assert.Throws<ArgumentException>(() => Split(table, 0.2, 0, SplitStrategy.Grouped, group: "nope"));
    }

    [Fact]
    public void Split_StratifiedMissingLabel_ThrowsArgumentException()
    {
        DataTable table = Plain(10);

        Assert.Throws<ArgumentException>(() => DataSplitter.Split(table, new SplitOptions(), SplitStrategy.Stratified, "nope", 1));
    }

    [Fact]
    public void Split_AutoStrategy_ThrowsArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DataSplitter.Split(Plain(10), new SplitOptions(), SplitStrategy.Auto, Label, 1));
    }

    [Fact]
    public void Split_SubsetTable_IndexesRefersToSubsetRows()
    {
        DataTable subset = Labelled(20, 20).Subset([.. Enumerable.Range(10, 20)]);

        SplitIndexes parts = Split(subset, 0.5, 0, SplitStrategy.Stratified);

        AssertPartition(parts, 20);
    }
}
