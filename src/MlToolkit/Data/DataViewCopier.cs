using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlToolkit.Data;

internal static class DataViewCopier
{
    public static DataTable Copy(IDataView data, string sourceName, IReadOnlyCollection<string> skipColumns, CancellationToken cancellationToken)
    {
        var readers = new List<ColumnReader>();
        foreach (DataViewSchema.Column column in data.Schema)
        {
            if (column.IsHidden || skipColumns.Contains(column.Name))
            {
                continue;
            }

            readers.Add(ColumnReader.Create(column, sourceName));
        }

        using (DataViewRowCursor cursor = data.GetRowCursor(readers.Select(r => r.Column)))
        {
            foreach (ColumnReader reader in readers)
            {
                reader.Bind(cursor);
            }

            int rows = 0;
            while (cursor.MoveNext())
            {
                if ((rows & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                foreach (ColumnReader reader in readers)
                {
                    reader.ReadRow();
                }

                rows++;
            }
        }

        return new DataTable(readers.Select(r => r.ToColumn()));
    }

    private abstract class ColumnReader
    {
        protected ColumnReader(DataViewSchema.Column column) => Column = column;

        public DataViewSchema.Column Column { get; }

        public abstract void Bind(DataViewRowCursor cursor);

        public abstract void ReadRow();

        public abstract DataTableColumn ToColumn();

        public static ColumnReader Create(DataViewSchema.Column column, string sourceName)
        {
            DataViewType type = column.Type;
            if (type is VectorDataViewType vector && vector.ItemType == NumberDataViewType.Single && vector.IsKnownSize)
            {
                return new VectorReader(column, vector.Size);
            }

            Type raw = type.RawType;
            if (type is KeyDataViewType)
            {
                throw new DataSchemaException(sourceName, $"Column '{column.Name}' is a key type; give it as text or a number.", column.Name);
            }

            if (raw == typeof(float))
            {
                return new NumberReader<float>(column, v => v);
            }

            if (raw == typeof(double))
            {
                return new NumberReader<double>(column, v => (float)v);
            }

            if (raw == typeof(int))
            {
                return new NumberReader<int>(column, v => v);
            }

            if (raw == typeof(long))
            {
                return new NumberReader<long>(column, v => v);
            }

            if (raw == typeof(short))
            {
                return new NumberReader<short>(column, v => v);
            }

            if (raw == typeof(byte))
            {
                return new NumberReader<byte>(column, v => v);
            }

            if (raw == typeof(uint))
            {
                return new NumberReader<uint>(column, v => v);
            }

            if (raw == typeof(bool))
            {
                return new BoolReader(column);
            }

            if (raw == typeof(ReadOnlyMemory<char>))
            {
                return new TextReader(column);
            }

            throw new DataSchemaException(sourceName,
                $"Column '{column.Name}' has type {type}, which MlToolkit cannot read; use numbers, booleans, text or fixed-size float vectors.", column.Name);
        }
    }

    private sealed class NumberReader<T>(DataViewSchema.Column column, Func<T, float> convert) : ColumnReader(column)
    {
        private readonly List<float> _values = [];
        private ValueGetter<T>? _getter;
        private T _value = default!;

        public override void Bind(DataViewRowCursor cursor) => _getter = cursor.GetGetter<T>(Column);

        public override void ReadRow()
        {
            _getter!(ref _value);
            _values.Add(convert(_value));
        }

        public override DataTableColumn ToColumn() => new NumberColumn(Column.Name, [.. _values]);
    }

    private sealed class BoolReader(DataViewSchema.Column column) : ColumnReader(column)
    {
        private readonly List<bool> _values = [];
        private ValueGetter<bool>? _getter;
        private bool _value;

        public override void Bind(DataViewRowCursor cursor) => _getter = cursor.GetGetter<bool>(Column);

        public override void ReadRow()
        {
            _getter!(ref _value);
            _values.Add(_value);
        }

        public override DataTableColumn ToColumn() => new BooleanColumn(Column.Name, [.. _values]);
    }

    private sealed class TextReader(DataViewSchema.Column column) : ColumnReader(column)
    {
        private readonly List<string?> _values = [];
        private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);
        private ValueGetter<ReadOnlyMemory<char>>? _getter;
        private ReadOnlyMemory<char> _value;

        public override void Bind(DataViewRowCursor cursor) => _getter = cursor.GetGetter<ReadOnlyMemory<char>>(Column);

        public override void ReadRow()
        {
            _getter!(ref _value);
            if (_value.IsEmpty)
            {
                _values.Add(null);
                return;
            }

            string s = _value.ToString();
            if (_pool.Count < 100_000)
            {
                if (!_pool.TryGetValue(s, out string? pooled))
                {
                    _pool[s] = s;
                    pooled = s;
                }

                s = pooled;
            }

            _values.Add(s);
        }

        public override DataTableColumn ToColumn() => new TextColumn(Column.Name, [.. _values]);
    }

    private sealed class VectorReader(DataViewSchema.Column column, int size) : ColumnReader(column)
    {
        private readonly List<float> _values = [];
        private ValueGetter<VBuffer<float>>? _getter;
        private VBuffer<float> _value;

        public override void Bind(DataViewRowCursor cursor) => _getter = cursor.GetGetter<VBuffer<float>>(Column);

        public override void ReadRow()
        {
            _getter!(ref _value);
            foreach (float v in _value.DenseValues())
            {
                _values.Add(v);
            }
        }

        public override DataTableColumn ToColumn() => new VectorColumn(Column.Name, size, [.. _values]);
    }
}
