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
                return Assign(random, GroupRows(table, labelColumn, "label"), test, validation);
            case SplitStrategy.Grouped:
                return Grouped(table, options.GroupColumn!, random, test, validation);
            default:
                throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Resolve Auto before splitting.");
        }
    }

    /// <summary>
    /// Assigns every row of <paramref name="table"/> to one of <paramref name="folds"/> folds for cross-validation and returns
    /// each fold's rows, in ascending order. Random: rows shuffled with the seed and dealt out in turn, so fold sizes differ
    /// by at most one. Stratified: each class shuffled and dealt out in turn, continuing where the previous class stopped,
    /// so every fold keeps the class ratios within one row per class and fold sizes differ by at most one. Grouped: groups
    /// shuffled with the seed, then placed largest first into the fold with the fewest rows, so no group is split.
    /// </summary>
    /// <param name="table">The data.</param>
    /// <param name="folds">The number of folds, at least 2.</param>
    /// <param name="strategy">The resolved strategy (not <see cref="SplitStrategy.Auto"/>).</param>
    /// <param name="labelColumn">The label, for stratification.</param>
    /// <param name="groupColumn">The group key, for <see cref="SplitStrategy.Grouped"/>.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The rows of each fold; together they hold every row once.</returns>
    /// <exception cref="ArgumentException">There are fewer rows (or groups) than folds, or a column is missing.</exception>
    public static int[][] Folds(DataTable table, int folds, SplitStrategy strategy, string labelColumn, string? groupColumn, int seed)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        if (table.RowCount < folds)
        {
            throw new ArgumentException($"{table.RowCount} rows cannot make {folds} folds; every fold needs at least one row.", nameof(folds));
        }

        var random = new Random(seed);
        var parts = new List<int>[folds];
        for (int f = 0; f < folds; f++)
        {
            parts[f] = [];
        }

        switch (strategy)
        {
            case SplitStrategy.Random:
            case SplitStrategy.Stratified:
                int[][] strata = strategy == SplitStrategy.Random
                    ? [Enumerable.Range(0, table.RowCount).ToArray()]
                    : GroupRows(table, labelColumn, "label");
                int next = 0;
                foreach (int[] stratum in strata)
                {
                    int[] rows = (int[])stratum.Clone();
                    random.Shuffle(rows);
                    foreach (int row in rows)
                    {
                        parts[next].Add(row);
                        next = (next + 1) % folds;
                    }
                }

                break;
            case SplitStrategy.Grouped:
                int[][] groups = GroupRows(table, groupColumn ?? throw new ArgumentNullException(nameof(groupColumn), "Grouped folds need a group column."), "group");
                if (groups.Length < folds)
                {
                    throw new ArgumentException($"The group column '{groupColumn}' has {groups.Length} distinct values, fewer than the {folds} folds; every fold needs at least one group.", nameof(folds));
                }

                random.Shuffle(groups);
                // Stable: groups of equal size keep their shuffled order.
                foreach (int[] group in groups.OrderByDescending(g => g.Length))
                {
                    int smallest = 0;
                    for (int f = 1; f < folds; f++)
                    {
                        if (parts[f].Count < parts[smallest].Count)
                        {
                            smallest = f;
                        }
                    }

                    parts[smallest].AddRange(group);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Resolve Auto before assigning folds.");
        }

        return [.. parts.Select(Sorted)];
    }

    private static int[][] GroupRows(DataTable table, string column, string role)
    {
        DataTableColumn values = table.FindColumn(column) ?? throw new ArgumentException($"No {role} column '{column}'.", nameof(column));
        return Enumerable.Range(0, table.RowCount)
            .GroupBy(r => values.FormatValue(table.SourceRow(r)) ?? "\0missing", StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.ToArray())
            .ToArray();
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
        int[][] groups = GroupRows(table, groupColumn, "group");
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
