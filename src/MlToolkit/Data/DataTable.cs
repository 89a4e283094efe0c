using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlToolkit.Data;

/// <summary>
/// An immutable, columnar, in-memory table: what sources extract into and what splits index into.
/// Numbers are <see cref="float"/> with <see cref="float.NaN"/> for missing values; text is
/// <see cref="string"/> with <see langword="null"/> for missing values (seen by ML.NET as empty text).
/// It is an <see cref="IDataView"/>, so it goes to ML.NET without a copy.
/// </summary>
public sealed class DataTable : IDataView
{
    private readonly DataTableColumn[] _columns;
    private readonly int[]? _rows;

    /// <summary>Creates a table from columns of equal length.</summary>
    /// <param name="columns">The columns.</param>
    /// <exception cref="ArgumentException">Columns differ in length or share a name.</exception>
    public DataTable(IEnumerable<DataTableColumn> columns)
        : this(columns.ToArray(), rows: null)
    {
    }

    private DataTable(DataTableColumn[] columns, int[]? rows)
    {
        _columns = columns;
        _rows = rows;
        int length = columns.Length == 0 ? 0 : columns[0].Length;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (DataTableColumn column in columns)
        {
            if (column.Length != length)
            {
                throw new ArgumentException($"Column '{column.Name}' has {column.Length} values but column '{columns[0].Name}' has {length}.", nameof(columns));
            }

            if (!names.Add(column.Name))
            {
                throw new ArgumentException($"Two columns are named '{column.Name}'.", nameof(columns));
            }
        }

        RowCount = rows?.Length ?? length;
        var builder = new DataViewSchema.Builder();
        foreach (DataTableColumn column in columns)
        {
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        }

        Schema = builder.ToSchema();
    }

    /// <summary>The number of rows.</summary>
    public int RowCount { get; }

    /// <summary>The columns, in schema order. For a row subset, the values are those of the whole table.</summary>
    public IReadOnlyList<DataTableColumn> Columns => _columns;

    /// <inheritdoc />
    public bool CanShuffle => false;

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <summary>The column named <paramref name="name"/>, or <see langword="null"/>.</summary>
    /// <param name="name">The column name (ordinal comparison).</param>
    /// <returns>The column or <see langword="null"/>.</returns>
    public DataTableColumn? FindColumn(string name) => Array.Find(_columns, c => c.Name == name);

    /// <summary>Maps a row of this table to the index of its value in <see cref="Columns"/>.</summary>
    /// <param name="row">The row, from 0 to <see cref="RowCount"/> - 1.</param>
    /// <returns>The index into the column values.</returns>
    public int SourceRow(int row) => _rows is null ? row : _rows[row];

    /// <summary>A table of some rows of this one, in the given order, sharing its column storage.</summary>
    /// <param name="rows">Row indexes into this table.</param>
    /// <returns>The subset.</returns>
    public DataTable Subset(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int[] mapped = new int[rows.Count];
        for (int i = 0; i < mapped.Length; i++)
        {
            int row = rows[i];
            if ((uint)row >= (uint)RowCount)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"Row {row} is outside the table's {RowCount} rows.");
            }

            mapped[i] = SourceRow(row);
        }

        return new DataTable(_columns, mapped);
    }

    /// <summary>A table with the same rows and <paramref name="column"/> added or replacing the column of the same name.</summary>
    /// <param name="column">A column whose values are indexed like <see cref="Columns"/> (the whole table's storage).</param>
    /// <returns>The new table.</returns>
    public DataTable WithColumn(DataTableColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        int index = Array.FindIndex(_columns, c => c.Name == column.Name);
        DataTableColumn[] columns = index >= 0 ? (DataTableColumn[])_columns.Clone() : [.. _columns, column];
        if (index >= 0)
        {
            columns[index] = column;
        }

        return new DataTable(columns, _rows);
    }

    /// <summary>A table without the named columns.</summary>
    /// <param name="names">The columns to drop.</param>
    /// <returns>The new table.</returns>
    public DataTable WithoutColumns(params string[] names)
        => new(_columns.Where(c => !names.Contains(c.Name)).ToArray(), _rows);

    /// <inheritdoc />
    public long? GetRowCount() => RowCount;

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded);

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => [new Cursor(this, columnsNeeded)];

    /// <summary>
    /// Copies any <see cref="IDataView"/> into a table, converting numeric columns to <see cref="float"/>
    /// (missing stays <see cref="float.NaN"/>). Supported column types: the numeric types, boolean, text,
    /// and vectors of <see cref="float"/> of known size.
    /// </summary>
    /// <param name="data">The data.</param>
    /// <param name="sourceName">The name of the data's source, for errors.</param>
    /// <param name="cancellationToken">Cancels the copy between rows.</param>
    /// <param name="skipColumns">Columns not to copy (such as ignored columns of a type that cannot be read), or <see langword="null"/>.</param>
    /// <returns>The table; <paramref name="data"/> itself when it already is one.</returns>
    /// <exception cref="DataSchemaException">A column has a type that cannot be used.</exception>
    public static DataTable FromDataView(IDataView data, string sourceName, CancellationToken cancellationToken = default, IReadOnlyCollection<string>? skipColumns = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data is DataTable table)
        {
            return table;
        }

        return DataViewCopier.Copy(data, sourceName, skipColumns ?? [], cancellationToken);
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly DataTable _table;
        private readonly bool[] _active;
        private long _position = -1;

        public Cursor(DataTable table, IEnumerable<DataViewSchema.Column> columnsNeeded)
        {
            _table = table;
            _active = new bool[table._columns.Length];
            foreach (DataViewSchema.Column column in columnsNeeded)
            {
                _active[column.Index] = true;
            }
        }

        public override DataViewSchema Schema => _table.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override bool MoveNext()
        {
            if (_position + 1 >= _table.RowCount)
            {
                _position = _table.RowCount;
                return false;
            }

            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter()
            => (ref DataViewRowId value) => value = new DataViewRowId((ulong)_table.SourceRow((int)_position), 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index])
            {
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was created.");
            }

            return _table._columns[column.Index].CreateGetter<TValue>(() => _table.SourceRow((int)_position));
        }
    }
}
