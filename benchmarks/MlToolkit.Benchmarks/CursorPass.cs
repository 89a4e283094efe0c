using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlToolkit.Benchmarks;

/// <summary>What a full pass over a view saw; equal for every reader when they all read the same values.</summary>
/// <param name="Rows">Rows seen.</param>
/// <param name="FloatSum">Sum of the non-missing float values, in row-major order.</param>
/// <param name="MissingFloats">Float values that are NaN.</param>
/// <param name="Trues">Boolean values that are true.</param>
/// <param name="Texts">Text values that are not empty.</param>
/// <param name="TextChars">Total length of the text values.</param>
public readonly record struct Checksum(long Rows, double FloatSum, long MissingFloats, long Trues, long Texts, long TextChars)
{
    /// <summary>Whether two checksums agree, the float sums to a relative 1e-9 (ML.NET has its own float parser).</summary>
    public bool AgreesWith(Checksum other)
        => Rows == other.Rows && MissingFloats == other.MissingFloats && Trues == other.Trues && Texts == other.Texts
            && TextChars == other.TextChars
            && Math.Abs(FloatSum - other.FloatSum) <= 1e-9 * Math.Max(1, Math.Abs(FloatSum));
}

/// <summary>
/// The pass every benchmark ends with: one cursor over every column of the view, reading every value through its
/// ML.NET getter (floats summed, booleans and texts counted), as a trainer or a transform would.
/// </summary>
public static class CursorPass
{
    public static Checksum Run(IDataView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        DataViewSchema schema = view.Schema;
        using DataViewRowCursor cursor = view.GetRowCursor(schema);

        var floats = new List<ValueGetter<float>>();
        var bools = new List<ValueGetter<bool>>();
        var texts = new List<ValueGetter<ReadOnlyMemory<char>>>();
        foreach (DataViewSchema.Column column in schema)
        {
            if (column.Type == NumberDataViewType.Single)
            {
                floats.Add(cursor.GetGetter<float>(column));
            }
            else if (column.Type == BooleanDataViewType.Instance)
            {
                bools.Add(cursor.GetGetter<bool>(column));
            }
            else if (column.Type == TextDataViewType.Instance)
            {
                texts.Add(cursor.GetGetter<ReadOnlyMemory<char>>(column));
            }
            else
            {
                throw new NotSupportedException($"Column '{column.Name}' has type {column.Type}, which the benchmark does not read.");
            }
        }

        ValueGetter<float>[] floatGetters = [.. floats];
        ValueGetter<bool>[] boolGetters = [.. bools];
        ValueGetter<ReadOnlyMemory<char>>[] textGetters = [.. texts];

        long rows = 0, missing = 0, trues = 0, nonEmpty = 0, chars = 0;
        double sum = 0;
        float f = 0;
        bool b = false;
        ReadOnlyMemory<char> text = default;
        while (cursor.MoveNext())
        {
            rows++;
            foreach (ValueGetter<float> getter in floatGetters)
            {
                getter(ref f);
                if (float.IsNaN(f))
                {
                    missing++;
                }
                else
                {
                    sum += f;
                }
            }

            foreach (ValueGetter<bool> getter in boolGetters)
            {
                getter(ref b);
                if (b)
                {
                    trues++;
                }
            }

            foreach (ValueGetter<ReadOnlyMemory<char>> getter in textGetters)
            {
                getter(ref text);
                if (!text.IsEmpty)
                {
                    nonEmpty++;
                    chars += text.Length;
                }
            }
        }

        return new Checksum(rows, sum, missing, trues, nonEmpty, chars);
    }
}

/// <summary>A minimal growable array (what a hand-written reader uses before the row count is known).</summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class GrowableArray<T>
{
    private T[] _items;

    public GrowableArray(int capacity = 1024)
    {
        _items = new T[Math.Max(capacity, 4)];
    }

    public int Count { get; private set; }

    public void Add(T item)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++] = item;
    }

    /// <summary>The items, in an array of exactly <see cref="Count"/> elements (the backing array itself when it is full).</summary>
    public T[] ToArray() => Count == _items.Length ? _items : _items.AsSpan(0, Count).ToArray();
}
