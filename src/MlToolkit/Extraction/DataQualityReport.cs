using MlToolkit.Data;

namespace MlToolkit.Extraction;

/// <summary>Quality figures of one column.</summary>
/// <param name="Name">The column.</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Missing">How many values are missing (NaN numbers, empty text).</param>
/// <param name="Distinct">How many distinct non-missing values it has (counted up to 10,000).</param>
/// <param name="IsConstant">Whether every non-missing value is the same (a column that cannot help a model).</param>
public sealed record ColumnQuality(string Name, ColumnKind Kind, long Missing, int Distinct, bool IsConstant);

/// <summary>What was extracted: rows, missing values per column, label distribution, constant columns, skipped rows.</summary>
public sealed class DataQualityReport
{
    private const int DistinctCap = 10_000;

    /// <summary>Creates a report.</summary>
    /// <param name="rows">Rows extracted (after skipped rows, before dropped labels).</param>
    /// <param name="columns">Per-column figures.</param>
    /// <param name="labelDistribution">Rows per label value (classification), in descending order of count.</param>
    /// <param name="skippedRowCount">Rows a lenient source skipped.</param>
    /// <param name="skippedRows">The first skipped rows and why.</param>
    /// <param name="droppedMissingLabelRows">Rows dropped because their label was missing.</param>
    public DataQualityReport(long rows, IReadOnlyList<ColumnQuality> columns, IReadOnlyList<KeyValuePair<string, long>> labelDistribution, long skippedRowCount, IReadOnlyList<SkippedRow> skippedRows, long droppedMissingLabelRows)
    {
        Rows = rows;
        Columns = columns;
        LabelDistribution = labelDistribution;
        SkippedRowCount = skippedRowCount;
        SkippedRows = skippedRows;
        DroppedMissingLabelRows = droppedMissingLabelRows;
    }

    /// <summary>Rows extracted (after skipped rows, before rows dropped for a missing label).</summary>
    public long Rows { get; }

    /// <summary>Per-column figures, in schema order.</summary>
    public IReadOnlyList<ColumnQuality> Columns { get; }

    /// <summary>Rows per label value for classification (descending), empty for regression.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> LabelDistribution { get; }

    /// <summary>The columns whose non-missing values are all the same.</summary>
    public IReadOnlyList<string> ConstantColumns => Columns.Where(c => c.IsConstant).Select(c => c.Name).ToList();

    /// <summary>Missing values per column (only columns that have some).</summary>
    public IReadOnlyDictionary<string, long> MissingValues => Columns.Where(c => c.Missing > 0).ToDictionary(c => c.Name, c => c.Missing);

    /// <summary>Rows a lenient source skipped.</summary>
    public long SkippedRowCount { get; }

    /// <summary>The first rows a lenient source skipped, and why.</summary>
    public IReadOnlyList<SkippedRow> SkippedRows { get; }

    /// <summary>Rows dropped because their label was missing (with <see cref="Pipeline.MissingLabelPolicy.Drop"/>).</summary>
    public long DroppedMissingLabelRows { get; }

    private static (long Missing, int Distinct) Count<T>(DataTable table, T[] values, Func<T, bool> isMissing)
    {
        long missing = 0;
        var distinct = new HashSet<T>();
        for (int row = 0; row < table.RowCount; row++)
        {
            T value = values[table.SourceRow(row)];
            if (isMissing(value))
            {
                missing++;
            }
            else if (distinct.Count <= DistinctCap)
            {
                distinct.Add(value);
            }
        }

        return (missing, Math.Min(distinct.Count, DistinctCap));
    }

    /// <summary>Computes the report.</summary>
    /// <param name="table">The extracted data.</param>
    /// <param name="labelColumn">The label, or <see langword="null"/>.</param>
    /// <param name="classification">Whether to count label values.</param>
    /// <param name="extracted">What the source reported.</param>
    /// <param name="droppedMissingLabelRows">Rows dropped for a missing label.</param>
    /// <returns>The report.</returns>
    public static DataQualityReport Compute(DataTable table, string? labelColumn, bool classification, ExtractedData? extracted = null, long droppedMissingLabelRows = 0)
    {
        ArgumentNullException.ThrowIfNull(table);
        var columns = new List<ColumnQuality>();
        foreach (DataTableColumn column in table.Columns)
        {
            (long missing, int distinct) = column switch
            {
                NumberColumn n => Count(table, n.Values, float.IsNaN),
                TextColumn t => Count(table, t.Values, v => v is null),
                BooleanColumn b => Count(table, b.Values, _ => false),
                // Vectors (and keys): missing rows are counted, distinct values are not.
                _ => (Enumerable.Range(0, table.RowCount).LongCount(r => column.IsMissing(table.SourceRow(r))), 0),
            };

            columns.Add(new ColumnQuality(column.Name, column.Kind, missing, distinct, distinct == 1));
        }

        IReadOnlyList<KeyValuePair<string, long>> labels = [];
        if (classification && labelColumn is not null && table.FindColumn(labelColumn) is { } label)
        {
            labels = Enumerable.Range(0, table.RowCount)
                .Select(r => label.FormatValue(table.SourceRow(r)) ?? "(missing)")
                .GroupBy(v => v, StringComparer.Ordinal)
                .Select(g => new KeyValuePair<string, long>(g.Key, g.LongCount()))
                .OrderByDescending(p => p.Value)
                .ThenBy(p => p.Key, StringComparer.Ordinal)
                .ToList();
        }

        return new DataQualityReport(table.RowCount, columns, labels, extracted?.SkippedRowCount ?? 0, extracted?.SkippedRows ?? [], droppedMissingLabelRows);
    }
}
