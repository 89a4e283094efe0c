using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlToolkit.Preparation;

/// <summary>Statistics over one column of a data view, computed in a single cursor pass.</summary>
internal static class ColumnStatistics
{
    /// <summary>Every value of a numeric column, missing ones (NaN) included, in one cursor pass.</summary>
    public static IEnumerable<float> Numbers(IDataView data, string column)
    {
        DataViewSchema.Column col = data.Schema[column];
        using DataViewRowCursor cursor = data.GetRowCursor([col]);
        ValueGetter<float> getter = cursor.GetGetter<float>(col);
        float value = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            yield return value;
        }
    }

    public static List<float> NonMissingNumbers(IDataView data, string column)
        => Numbers(data, column).Where(v => !float.IsNaN(v)).ToList();

    public static double Median(IDataView data, string column)
    {
        List<float> values = NonMissingNumbers(data, column);
        if (values.Count == 0)
        {
            return 0;
        }

        values.Sort();
        int mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : ((double)values[mid - 1] + values[mid]) / 2;
    }

    /// <summary>The most frequent non-missing number; ties go to the smallest so that the choice is reproducible.</summary>
    public static double MostFrequentNumber(IDataView data, string column)
        => NonMissingNumbers(data, column)
            .GroupBy(v => v)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key)
            .Select(g => (double)g.Key)
            .FirstOrDefault();

    /// <summary>Counts of each non-empty text value.</summary>
    public static Dictionary<string, int> TextCounts(IDataView data, string column, int limit = int.MaxValue)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        DataViewSchema.Column col = data.Schema[column];
        using DataViewRowCursor cursor = data.GetRowCursor([col]);
        ValueGetter<ReadOnlyMemory<char>> getter = cursor.GetGetter<ReadOnlyMemory<char>>(col);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            if (value.IsEmpty)
            {
                continue;
            }

            string key = value.ToString();
            counts[key] = counts.GetValueOrDefault(key) + 1;
            if (counts.Count > limit)
            {
                break;
            }
        }

        return counts;
    }

    /// <summary>The most frequent value; ties go to the ordinally smallest so that the choice is reproducible.</summary>
    public static string? MostFrequentText(IDataView data, string column)
        => TextCounts(data, column)
            .OrderByDescending(p => p.Value)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key)
            .FirstOrDefault();

    public static bool HasMissingNumber(IDataView data, string column) => Numbers(data, column).Any(float.IsNaN);
}
