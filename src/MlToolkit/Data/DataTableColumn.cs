using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlToolkit.Data;

/// <summary>The kinds of values a <see cref="DataTable"/> column holds.</summary>
public enum ColumnKind
{
    /// <summary>A number, stored as <see cref="float"/>; missing is <see cref="float.NaN"/>.</summary>
    Number,

    /// <summary>A boolean; a boolean column cannot hold missing values.</summary>
    Boolean,

    /// <summary>Text (categories or free text); missing is <see langword="null"/>.</summary>
    Text,

    /// <summary>A fixed-size vector of numbers; missing elements are <see cref="float.NaN"/>.</summary>
    Vector,
}

/// <summary>One column of a <see cref="DataTable"/>.</summary>
public abstract class DataTableColumn
{
    private protected DataTableColumn(string name, ColumnKind kind, DataViewType type, int length)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Kind = kind;
        Type = type;
        Length = length;
    }

    /// <summary>The column's name.</summary>
    public string Name { get; }

    /// <summary>The kind of values.</summary>
    public ColumnKind Kind { get; }

    /// <summary>The ML.NET type of the column.</summary>
    public DataViewType Type { get; }

    /// <summary>The number of stored values.</summary>
    public int Length { get; }

    /// <summary>Annotations ML.NET sees on the column, or <see langword="null"/>.</summary>
    public virtual DataViewSchema.Annotations? Annotations => null;

    /// <summary>Whether the stored value at <paramref name="index"/> is missing.</summary>
    /// <param name="index">The storage index.</param>
    /// <returns><see langword="true"/> when missing.</returns>
    public abstract bool IsMissing(int index);

    /// <summary>The stored value at <paramref name="index"/> as a string for reports (missing is <see langword="null"/>).</summary>
    /// <param name="index">The storage index.</param>
    /// <returns>The value as text.</returns>
    public abstract string? FormatValue(int index);

    internal abstract ValueGetter<TValue> CreateGetter<TValue>(Func<int> row);

    private protected ValueGetter<TValue> Mismatch<TValue>()
        => throw new InvalidOperationException($"Column '{Name}' is {Type}, not {typeof(TValue).Name}.");
}

/// <summary>A column of numbers; missing values are <see cref="float.NaN"/>.</summary>
public sealed class NumberColumn : DataTableColumn
{
    /// <summary>Creates the column.</summary>
    /// <param name="name">The name.</param>
    /// <param name="values">The values (not copied).</param>
    public NumberColumn(string name, float[] values)
        : base(name, ColumnKind.Number, NumberDataViewType.Single, values.Length)
    {
        Values = values;
    }

    /// <summary>The values.</summary>
    public float[] Values { get; }

    /// <inheritdoc />
    public override bool IsMissing(int index) => float.IsNaN(Values[index]);

    /// <inheritdoc />
    public override string? FormatValue(int index)
        => IsMissing(index) ? null : Values[index].ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    internal override ValueGetter<TValue> CreateGetter<TValue>(Func<int> row)
    {
        if (typeof(TValue) != typeof(float))
        {
            return Mismatch<TValue>();
        }

        float[] values = Values;
        ValueGetter<float> getter = (ref float value) => value = values[row()];
        return (ValueGetter<TValue>)(Delegate)getter;
    }
}

/// <summary>A column of booleans.</summary>
public sealed class BooleanColumn : DataTableColumn
{
    /// <summary>Creates the column.</summary>
    /// <param name="name">The name.</param>
    /// <param name="values">The values (not copied).</param>
    public BooleanColumn(string name, bool[] values)
        : base(name, ColumnKind.Boolean, BooleanDataViewType.Instance, values.Length)
    {
        Values = values;
    }

    /// <summary>The values.</summary>
    public bool[] Values { get; }

    /// <inheritdoc />
    public override bool IsMissing(int index) => false;

    /// <inheritdoc />
    public override string? FormatValue(int index) => Values[index] ? "true" : "false";

    internal override ValueGetter<TValue> CreateGetter<TValue>(Func<int> row)
    {
        if (typeof(TValue) != typeof(bool))
        {
            return Mismatch<TValue>();
        }

        bool[] values = Values;
        ValueGetter<bool> getter = (ref bool value) => value = values[row()];
        return (ValueGetter<TValue>)(Delegate)getter;
    }
}

/// <summary>A column of text; missing values are <see langword="null"/> and reach ML.NET as empty text.</summary>
public sealed class TextColumn : DataTableColumn
{
    /// <summary>Creates the column.</summary>
    /// <param name="name">The name.</param>
    /// <param name="values">The values (not copied); <see langword="null"/> marks a missing value.</param>
    public TextColumn(string name, string?[] values)
        : base(name, ColumnKind.Text, TextDataViewType.Instance, values.Length)
    {
        Values = values;
    }

    /// <summary>The values; <see langword="null"/> marks a missing value.</summary>
    public string?[] Values { get; }

    /// <inheritdoc />
    public override bool IsMissing(int index) => Values[index] is null;

    /// <inheritdoc />
    public override string? FormatValue(int index) => Values[index];

    internal override ValueGetter<TValue> CreateGetter<TValue>(Func<int> row)
    {
        if (typeof(TValue) != typeof(ReadOnlyMemory<char>))
        {
            return Mismatch<TValue>();
        }

        string?[] values = Values;
        ValueGetter<ReadOnlyMemory<char>> getter = (ref ReadOnlyMemory<char> value) => value = values[row()].AsMemory();
        return (ValueGetter<TValue>)(Delegate)getter;
    }
}

/// <summary>A column of fixed-size vectors of numbers, stored row after row.</summary>
public sealed class VectorColumn : DataTableColumn
{
    private readonly DataViewSchema.Annotations? _annotations;

    /// <summary>Creates the column.</summary>
    /// <param name="name">The name.</param>
    /// <param name="size">The vector size.</param>
    /// <param name="values">The values, <paramref name="size"/> per row (not copied).</param>
    /// <param name="annotations">Annotations such as slot names, or <see langword="null"/>.</param>
    public VectorColumn(string name, int size, float[] values, DataViewSchema.Annotations? annotations = null)
        : base(name, ColumnKind.Vector, new VectorDataViewType(NumberDataViewType.Single, size), size == 0 ? 0 : values.Length / size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        Size = size;
        Values = values;
        _annotations = annotations;
    }

    /// <summary>The vector size.</summary>
    public int Size { get; }

    /// <summary>The values, <see cref="Size"/> per row.</summary>
    public float[] Values { get; }

    /// <inheritdoc />
    public override DataViewSchema.Annotations? Annotations => _annotations;

    /// <inheritdoc />
    public override bool IsMissing(int index)
    {
        foreach (float v in Values.AsSpan(index * Size, Size))
        {
            if (float.IsNaN(v))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public override string? FormatValue(int index)
        => string.Join(' ', Values.AsSpan(index * Size, Size).ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));

    internal override ValueGetter<TValue> CreateGetter<TValue>(Func<int> row)
    {
        if (typeof(TValue) != typeof(VBuffer<float>))
        {
            return Mismatch<TValue>();
        }

        float[] values = Values;
        int size = Size;
        ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
        {
            var editor = VBufferEditor.Create(ref value, size);
            values.AsSpan(row() * size, size).CopyTo(editor.Values);
            value = editor.Commit();
        };
        return (ValueGetter<TValue>)(Delegate)getter;
    }
}
