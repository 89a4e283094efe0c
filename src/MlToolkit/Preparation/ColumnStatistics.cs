using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlToolkit.Preparation;

/// <summary>What <see cref="ColumnStatistics.Compute"/> gathers for each column: all of it in one cursor pass.</summary>
internal sealed class StatisticsRequest
{
    internal Dictionary<string, bool> Numbers { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, int> Texts { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether each numeric column has a missing value (NaN); reading a column stops at its first.</summary>
    public StatisticsRequest MissingFlags(IEnumerable<string> columns)
    {
        foreach (string column in columns)
        {
            Numbers.TryAdd(column, false);
        }

        return this;
    }

    /// <summary>The non-missing values of each numeric column (for a median or a most frequent value), and whether one is missing.</summary>
    public StatisticsRequest NumberValues(IEnumerable<string> columns)
    {
        foreach (string column in columns)
        {
            Numbers[column] = true;
        }

        return this;
    }

    /// <summary>
    /// The count of each non-empty value of each text column; a column's counting stops at the row that brings its
    /// distinct values past <paramref name="limit"/> (that row is counted).
    /// </summary>
    public StatisticsRequest TextCounts(IEnumerable<string> columns, int limit = int.MaxValue)
    {
        foreach (string column in columns)
        {
            Texts[column] = Texts.TryGetValue(column, out int other) ? Math.Max(other, limit) : limit;
        }

        return this;
    }
}

/// <summary>The statistics of one numeric column.</summary>
internal sealed class NumberSummary
{
    private readonly List<float>? _values;
    private bool _sorted;

    internal NumberSummary(bool keepValues)
    {
        _values = keepValues ? [] : null;
    }

    /// <summary>Whether a value is missing (NaN).</summary>
    public bool HasMissing { get; private set; }

    /// <summary>Whether the summary still needs values: it keeps them, or has not seen a missing one yet.</summary>
    internal bool Wants => _values is not null || !HasMissing;

    internal void Add(float value)
    {
        if (float.IsNaN(value))
        {
            HasMissing = true;
        }
        else
        {
            _values?.Add(value);
        }
    }

    /// <summary>The median of the non-missing values (the mean of the two middle ones for an even count); 0 when there are none.</summary>
    public double Median()
    {
        List<float> values = SortedValues();
        if (values.Count == 0)
        {
            return 0;
        }

        int mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : ((double)values[mid - 1] + values[mid]) / 2;
    }

    /// <summary>The most frequent non-missing value; ties go to the smallest so that the choice is reproducible; 0 when there are none.</summary>
    public double MostFrequent()
    {
        List<float> values = SortedValues();
        float best = 0;
        int bestCount = 0;
        for (int start = 0; start < values.Count;)
        {
            int end = start + 1;
            while (end < values.Count && values[end] == values[start])
            {
                end++;
            }

            // Strictly more, so that among equal counts the first run, the smallest value, stays.
            if (end - start > bestCount)
            {
                best = values[start];
                bestCount = end - start;
            }

            start = end;
        }

        // -0 and 0 are one value (as Equals counts them); the run's first element could be either.
        return best == 0 ? 0 : best;
    }

    private List<float> SortedValues()
    {
        List<float> values = _values ?? throw new InvalidOperationException("The values of this column were not gathered.");
        if (!_sorted)
        {
            values.Sort();
            _sorted = true;
        }

        return values;
    }
}

/// <summary>The counts of the values of one text column.</summary>
internal sealed class TextSummary
{
    private readonly int _limit;
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    internal TextSummary(int limit)
    {
        _limit = limit;
        _lookup = _counts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Each non-empty value and how often it occurs (in the rows read: see <see cref="Truncated"/>), in order of first occurrence.</summary>
    public IReadOnlyDictionary<string, int> Counts => _counts;

    /// <summary>Whether counting stopped early because the distinct values went past the limit.</summary>
    public bool Truncated { get; private set; }

    /// <summary>The non-empty values counted.</summary>
    public long Values { get; private set; }

    internal bool Wants => !Truncated;

    internal void Add(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return;
        }

        // A lookup by span: a string is allocated only for a value not seen before.
        ref int count = ref CollectionsMarshal.GetValueRefOrAddDefault(_lookup, value, out bool exists);
        count++;
        Values++;
        if (!exists && _counts.Count > _limit)
        {
            Truncated = true;
        }
    }

    /// <summary>The mean number of space-separated words over the counted values (0 when there are none).</summary>
    public double AverageWords()
    {
        long words = 0;
        foreach ((string value, int count) in _counts)
        {
            words += (long)count * WordCount(value);
        }

        return (double)words / Math.Max(1, Values);
    }

    /// <summary>The most frequent value; ties go to the ordinally smallest so that the choice is reproducible; <see langword="null"/> when there is none.</summary>
    public string? MostFrequent()
    {
        string? best = null;
        int bestCount = 0;
        foreach ((string value, int count) in _counts)
        {
            if (count > bestCount || (count == bestCount && string.CompareOrdinal(value, best) < 0))
            {
                best = value;
                bestCount = count;
            }
        }

        return best;
    }

    /// <summary>The <paramref name="n"/> most frequent values, most frequent first, ties in ordinal order.</summary>
    public string[] MostFrequent(int n)
    {
        KeyValuePair<string, int>[] pairs = [.. _counts];
        Array.Sort(pairs, static (a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        int take = Math.Min(n, pairs.Length);
        string[] top = new string[take];
        for (int i = 0; i < take; i++)
        {
            top[i] = pairs[i].Key;
        }

        return top;
    }

    /// <summary>The number of runs of characters other than ' ' (what <c>Split(' ', RemoveEmptyEntries).Length</c> counts).</summary>
    private static int WordCount(string value)
    {
        int words = 0;
        bool inWord = false;
        foreach (char c in value)
        {
            if (c == ' ')
            {
                inWord = false;
            }
            else if (!inWord)
            {
                inWord = true;
                words++;
            }
        }

        return words;
    }
}

/// <summary>
/// Statistics over many columns of a data view gathered in a single cursor pass: missing flags, values for medians and
/// modes, counts of text values. A pass per column made wide data slow (issue 13); reading stops as soon as no column
/// needs more rows (every flagged column has shown a missing value, every text column is past its limit).
/// </summary>
internal sealed class ColumnStatistics
{
    private readonly Dictionary<string, NumberSummary> _numbers;
    private readonly Dictionary<string, TextSummary> _texts;

    private ColumnStatistics(Dictionary<string, NumberSummary> numbers, Dictionary<string, TextSummary> texts)
    {
        _numbers = numbers;
        _texts = texts;
    }

    /// <summary>
    /// Reads <paramref name="data"/> once for everything <paramref name="request"/> asks. A requested column that
    /// <paramref name="data"/> lacks, or whose type differs (a number that is not a <see cref="float"/>, text that is not text),
    /// has no summary: <see cref="TryGetNumber"/> and <see cref="TryGetText"/> say so.
    /// </summary>
    public static ColumnStatistics Compute(IDataView data, StatisticsRequest request)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(request);
        var numbers = new Dictionary<string, NumberSummary>(StringComparer.Ordinal);
        var texts = new Dictionary<string, TextSummary>(StringComparer.Ordinal);
        var columns = new List<DataViewSchema.Column>();
        var numberColumns = new List<(DataViewSchema.Column Column, NumberSummary Summary)>();
        var textColumns = new List<(DataViewSchema.Column Column, TextSummary Summary)>();
        foreach ((string name, bool keepValues) in request.Numbers)
        {
            if (data.Schema.GetColumnOrNull(name) is { } column && column.Type == NumberDataViewType.Single)
            {
                var summary = new NumberSummary(keepValues);
                numbers[name] = summary;
                numberColumns.Add((column, summary));
                columns.Add(column);
            }
        }

        foreach ((string name, int limit) in request.Texts)
        {
            if (data.Schema.GetColumnOrNull(name) is { } column && column.Type is TextDataViewType)
            {
                var summary = new TextSummary(limit);
                texts[name] = summary;
                textColumns.Add((column, summary));
                columns.Add(column);
            }
        }

        if (columns.Count > 0)
        {
            Read(data, columns, numberColumns, textColumns);
        }

        return new ColumnStatistics(numbers, texts);
    }

    private static void Read(IDataView data, List<DataViewSchema.Column> columns, List<(DataViewSchema.Column Column, NumberSummary Summary)> numberColumns, List<(DataViewSchema.Column Column, TextSummary Summary)> textColumns)
    {
        using DataViewRowCursor cursor = data.GetRowCursor(columns);
        var numberGetters = new ValueGetter<float>[numberColumns.Count];
        var numberSummaries = new NumberSummary[numberColumns.Count];
        for (int i = 0; i < numberColumns.Count; i++)
        {
            numberGetters[i] = cursor.GetGetter<float>(numberColumns[i].Column);
            numberSummaries[i] = numberColumns[i].Summary;
        }

        var textGetters = new ValueGetter<ReadOnlyMemory<char>>[textColumns.Count];
        var textSummaries = new TextSummary[textColumns.Count];
        for (int i = 0; i < textColumns.Count; i++)
        {
            textGetters[i] = cursor.GetGetter<ReadOnlyMemory<char>>(textColumns[i].Column);
            textSummaries[i] = textColumns[i].Summary;
        }

        // The columns still read are the first liveNumbers (liveTexts) entries; a column that needs no more rows is
        // swapped to the end.
        int liveNumbers = numberGetters.Length, liveTexts = textGetters.Length;
        float number = 0;
        ReadOnlyMemory<char> text = default;
        while ((liveNumbers > 0 || liveTexts > 0) && cursor.MoveNext())
        {
            for (int i = 0; i < liveNumbers; i++)
            {
                numberGetters[i](ref number);
                NumberSummary summary = numberSummaries[i];
                summary.Add(number);
                if (!summary.Wants)
                {
                    liveNumbers--;
                    (numberGetters[i], numberGetters[liveNumbers]) = (numberGetters[liveNumbers], numberGetters[i]);
                    (numberSummaries[i], numberSummaries[liveNumbers]) = (numberSummaries[liveNumbers], numberSummaries[i]);
                    i--;
                }
            }

            for (int i = 0; i < liveTexts; i++)
            {
                textGetters[i](ref text);
                TextSummary summary = textSummaries[i];
                summary.Add(text.Span);
                if (!summary.Wants)
                {
                    liveTexts--;
                    (textGetters[i], textGetters[liveTexts]) = (textGetters[liveTexts], textGetters[i]);
                    (textSummaries[i], textSummaries[liveTexts]) = (textSummaries[liveTexts], textSummaries[i]);
                    i--;
                }
            }
        }
    }

    /// <summary>The summary of a numeric column, when it was requested and the data has it as numbers.</summary>
    public bool TryGetNumber(string column, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NumberSummary? summary)
        => _numbers.TryGetValue(column, out summary);

    /// <summary>The summary of a text column, when it was requested and the data has it as text.</summary>
    public bool TryGetText(string column, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TextSummary? summary)
        => _texts.TryGetValue(column, out summary);

    /// <summary>Counts of each non-empty value of one text column, up to <paramref name="limit"/> distinct values (see <see cref="StatisticsRequest.TextCounts"/>).</summary>
    public static IReadOnlyDictionary<string, int> TextCounts(IDataView data, string column, int limit = int.MaxValue)
    {
        ColumnStatistics statistics = Compute(data, new StatisticsRequest().TextCounts([column], limit));
        return statistics.TryGetText(column, out TextSummary? summary)
            ? summary.Counts
            : throw new ArgumentOutOfRangeException(nameof(column), column, $"Column '{column}' is not a text column of the data.");
    }
}
