using MlToolkit.Data;

namespace MlToolkit.Preparation.Split;

/// <summary>The row indexes of each part of a split, each in ascending order.</summary>
/// <param name="Train">The training rows.</param>
/// <param name="Validation">The validation rows (possibly empty).</param>
/// <param name="Test">The test rows (possibly empty).</param>
public sealed record SplitIndexes(int[] Train, int[] Validation, int[] Test);

/// <summary>
/// Splits a <see cref="DataTable"/> into training, validation and test rows: random, stratified by the label
/// (ML.NET has no stratified split) or grouped by a key. The same seed gives the same split.
/// </summary>
public static class DataSplitter
{
    /// <summary>Computes the split.</summary>
    /// <param name="table">The data.</param>
    /// <param name="options">The options.</param>
    /// <param name="strategy">The resolved strategy (not <see cref="SplitStrategy.Auto"/>).</param>
    /// <param name="labelColumn">The label, for stratification.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The row indexes of each part.</returns>
    public static SplitIndexes Split(DataTable table, SplitOptions options, SplitStrategy strategy, string labelColumn, int seed)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        var random = new Random(seed);
        double test = options.TestFraction;
        double validation = options.ValidationFraction;
        switch (strategy)
        {
            case SplitStrategy.Random:
                return Assign(random, [Enumerable.Range(0, table.RowCount).ToArray()], test, validation);
            case SplitStrategy.Stratified:
                DataTableColumn label = table.FindColumn(labelColumn) ?? throw new ArgumentException($"No label column '{labelColumn}'.", nameof(labelColumn));
                int[][] strata = Enumerable.Range(0, table.RowCount)
                    .GroupBy(r => label.FormatValue(table.SourceRow(r)) ?? "\0missing", StringComparer.Ordinal)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => g.ToArray())
                    .ToArray();
                return Assign(random, strata, test, validation);
            case SplitStrategy.Grouped:
                return Grouped(table, options.GroupColumn!, random, test, validation);
            default:
                throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Resolve Auto before splitting.");
        }
    }

    private static SplitIndexes Assign(Random random, int[][] strata, double test, double validation)
    {
        var trainRows = new List<int>();
        var validationRows = new List<int>();
        var testRows = new List<int>();
        foreach (int[] stratum in strata)
        {
            int[] rows = (int[])stratum.Clone();
            random.Shuffle(rows);
            int testCount = (int)Math.Round(rows.Length * test, MidpointRounding.AwayFromZero);
            int validationCount = (int)Math.Round(rows.Length * validation, MidpointRounding.AwayFromZero);
            if (testCount + validationCount >= rows.Length && rows.Length > 0)
            {
                // Keep at least one row of every class for training.
                int excess = testCount + validationCount - rows.Length + 1;
                int fromValidation = Math.Min(excess, validationCount);
                validationCount -= fromValidation;
                testCount -= Math.Min(excess - fromValidation, testCount);
            }

            testRows.AddRange(rows.AsSpan(0, testCount));
            validationRows.AddRange(rows.AsSpan(testCount, validationCount));
            trainRows.AddRange(rows.AsSpan(testCount + validationCount));
        }

        return new SplitIndexes(Sorted(trainRows), Sorted(validationRows), Sorted(testRows));
    }

    private static SplitIndexes Grouped(DataTable table, string groupColumn, Random random, double test, double validation)
    {
        DataTableColumn group = table.FindColumn(groupColumn) ?? throw new ArgumentException($"No group column '{groupColumn}'.", nameof(groupColumn));
        var groups = Enumerable.Range(0, table.RowCount)
            .GroupBy(r => group.FormatValue(table.SourceRow(r)) ?? "\0missing", StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.ToArray())
            .ToArray();
        random.Shuffle(groups);
        var trainRows = new List<int>();
        var validationRows = new List<int>();
        var testRows = new List<int>();
        double testTarget = table.RowCount * test;
        double validationTarget = table.RowCount * validation;
        foreach (int[] rows in groups)
        {
            // Fill test first, then validation; each group goes where it brings the part closest to its target.
            if (testRows.Count < testTarget && Math.Abs(testRows.Count + rows.Length - testTarget) <= Math.Abs(testRows.Count - testTarget) + rows.Length / 2.0)
            {
                testRows.AddRange(rows);
            }
            else if (validationRows.Count < validationTarget && Math.Abs(validationRows.Count + rows.Length - validationTarget) <= Math.Abs(validationRows.Count - validationTarget) + rows.Length / 2.0)
            {
                validationRows.AddRange(rows);
            }
            else
            {
                trainRows.AddRange(rows);
            }
        }

        return new SplitIndexes(Sorted(trainRows), Sorted(validationRows), Sorted(testRows));
    }

    private static int[] Sorted(List<int> rows)
    {
        int[] array = [.. rows];
        Array.Sort(array);
        return array;
    }
}
