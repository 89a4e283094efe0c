using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlToolkit.Data;

/// <summary>A column of ML.NET keys (1-based; 0 is missing) with the class names as key values, for multiclass labels.</summary>
internal sealed class KeyColumn : DataTableColumn
{
    private readonly DataViewSchema.Annotations _annotations;

    public KeyColumn(string name, uint[] values, IReadOnlyList<string> keyValues)
        : base(name, ColumnKind.Number, new KeyDataViewType(typeof(uint), Math.Max(1, keyValues.Count)), values.Length)
    {
        Values = values;
        KeyValues = keyValues;
        var builder = new DataViewSchema.Annotations.Builder();
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> getter = (ref VBuffer<ReadOnlyMemory<char>> value) =>
            value = new VBuffer<ReadOnlyMemory<char>>(keyValues.Count, keyValues.Select(k => k.AsMemory()).ToArray());
        builder.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, keyValues.Count), getter);
        _annotations = builder.ToAnnotations();
    }

    public uint[] Values { get; }

    public IReadOnlyList<string> KeyValues { get; }

    public override DataViewSchema.Annotations? Annotations => _annotations;

    public override bool IsMissing(int index) => Values[index] == 0;

    public override string? FormatValue(int index) => Values[index] == 0 ? null : KeyValues[(int)Values[index] - 1];

    internal override ValueGetter<TValue> CreateGetter<TValue>(Func<int> row)
    {
        if (typeof(TValue) != typeof(uint))
        {
            return Mismatch<TValue>();
        }

        uint[] values = Values;
        ValueGetter<uint> getter = (ref uint value) => value = values[row()];
        return (ValueGetter<TValue>)(Delegate)getter;
    }
}
