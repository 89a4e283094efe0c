using Microsoft.Data.Analysis;
using Microsoft.ML;
using MlToolkit.Data;

namespace MlToolkit.Extraction.InMemory;

/// <summary>
/// Reads a <see cref="Microsoft.Data.Analysis.DataFrame"/>. Each column is copied by its own type, so a null in a
/// numeric column is <see cref="float.NaN"/> (never 0) and a null string is missing text; a null in a boolean column
/// is an error that names the column and row.
/// </summary>
public sealed class DataFrameDataSource : DataSourceBase, ISchemaProvider
{
    private readonly Microsoft.Data.Analysis.DataFrame _frame;

    /// <summary>Creates the source.</summary>
    /// <param name="frame">The data frame; read at each run.</param>
    /// <param name="name">A name for messages.</param>
    public DataFrameDataSource(Microsoft.Data.Analysis.DataFrame frame, string name = "dataframe")
    {
        _frame = frame ?? throw new ArgumentNullException(nameof(frame));
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    public DataViewSchema GetSchema() => Convert(_frame, Name, rows: 0).Schema;

    /// <inheritdoc />
    protected override Task<ExtractedData> ExtractCoreAsync(ExtractionContext context, CancellationToken cancellationToken)
        => Task.FromResult(new ExtractedData(Convert(_frame, Name, checked((int)_frame.Rows.Count))));

    private static DataTable Convert(Microsoft.Data.Analysis.DataFrame frame, string name, int rows)
    {
        var columns = new List<DataTableColumn>();
        foreach (DataFrameColumn column in frame.Columns)
        {
            columns.Add(column switch
            {
                StringDataFrameColumn s => new TextColumn(s.Name, Enumerable.Range(0, rows).Select(i => string.IsNullOrEmpty(s[i]) ? null : s[i]).ToArray()),
                BooleanDataFrameColumn b => new BooleanColumn(b.Name, Enumerable.Range(0, rows).Select(i => b[i] ?? throw new DataSourceException(name, $"{name}: boolean column '{b.Name}' has a null at row {i + 1}; a boolean column cannot hold missing values.", i + 1, b.Name)).ToArray()),
                _ when IsNumeric(column.DataType) => new NumberColumn(column.Name, Enumerable.Range(0, rows).Select(i => ToFloat(column[i])).ToArray()),
                _ => throw new DataSchemaException(name, $"{name}: column '{column.Name}' has type {column.DataType.Name}, which MlToolkit cannot read; use numbers, booleans or strings.", column.Name),
            });
        }

        return new DataTable(columns);
    }

    private static bool IsNumeric(Type type)
        => type == typeof(float) || type == typeof(double) || type == typeof(int) || type == typeof(long) || type == typeof(short)
            || type == typeof(byte) || type == typeof(sbyte) || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(decimal);

    private static float ToFloat(object? value) => value is null ? float.NaN : System.Convert.ToSingle(value, System.Globalization.CultureInfo.InvariantCulture);
}
