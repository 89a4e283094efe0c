using System.Globalization;
using CsvHelper;
using Microsoft.ML;
using MlToolkit.Data;

namespace MlToolkit.Extraction.Csv;

/// <summary>
/// Reads CSV with CsvHelper 34's UTF-8 reader (<c>Read()</c> + <c>TryParse&lt;T&gt;(i)</c>) straight into columnar
/// arrays. CsvHelper's lenient defaults are replaced: malformed quoting, wrong field counts and missing
/// fields throw (strict) or skip the record (lenient), and its errors become <see cref="CsvDataException"/>.
/// </summary>
internal sealed class CsvParser
{
    private readonly CsvSourceOptions _options;
    private readonly string _source;
    private readonly byte _groupSeparator;
    private readonly bool _numericMissingTokens;
    private readonly IFormatProvider _numberFormat;

    public CsvParser(CsvSourceOptions options, string source)
    {
        _options = options;
        _source = source;
        string group = options.Culture.NumberFormat.NumberGroupSeparator;
        _groupSeparator = !options.AllowThousandsSeparators && group.Length == 1 && group[0] < 128 ? (byte)group[0] : (byte)0;
        _numericMissingTokens = options.MissingValues.Any(v => float.TryParse(v, NumberStyles.Float, options.Culture, out _));

        // CsvHelper parses numbers with thousands separators allowed, so "0,5" would read as 5 with the invariant culture.
        // Unless they are allowed, numbers are parsed with a format whose group separator never occurs: such a value then
        // fails to parse, at no cost per field.
        _numberFormat = options.AllowThousandsSeparators
            ? options.Culture
            : NoGroupSeparator(options.Culture);    }

    public CsvReaderOptions ReaderOptions(Action<CsvMalformedRecord>? onMalformed) => new()
    {
        HasHeader = _options.HasHeader,
        Mode = _options.AllowQuotes ? CsvMode.Rfc4180 : CsvMode.NoEscape,
        Separator = _options.Separator,
        DetectSeparatorHint = _options.Separator is null,
        TrimWhitespace = _options.TrimWhitespace,
        FormatProvider = _numberFormat,
        NullValues = ["", .. _options.MissingValues],
        MalformedData = _options.BadRows == BadRowHandling.Fail ? CsvMalformedDataHandling.Throw : CsvMalformedDataHandling.Skip,
        FieldCountMismatch = _options.BadRows == BadRowHandling.Fail ? CsvFieldCountHandling.Throw : CsvFieldCountHandling.Skip,
        MissingField = CsvMissingFieldHandling.Throw,
        IncludeValuesInExceptions = _options.IncludeValuesInErrors,
        TrackLineNumbers = true,
        PoolStrings = true,
        OnMalformedRecord = onMalformed,
    };

    /// <summary>Reads the header and a sample, and returns the column names and kinds.</summary>
    public (string[] Names, ColumnKind[] Kinds) InferSchema(Func<CsvReaderOptions, CsvReader> open)
    {
        using CsvReader reader = Open(open, ReaderOptions(null));
        try
        {
            string[] names = ReadNames(reader, out bool hasRecord);
            if (names.All(_options.ColumnTypes.ContainsKey))
            {
                hasRecord = false; // every kind is given: no sample to read
            }

            var numeric = Enumerable.Repeat(true, names.Length).ToArray();
            var boolean = Enumerable.Repeat(true, names.Length).ToArray();
            var seen = new bool[names.Length];
            int rows = 0;
            while (hasRecord && rows < _options.InferenceSampleRows)
            {
                for (int i = 0; i < names.Length; i++)
                {
                    if (IsMissingField(reader, i))
                    {
                        continue;
                    }

                    // Each value on its own: a boolean column holds only boolean words, never a digit (CsvHelper's
                    // boolean parser accepts 1/0 too, which would make the kind depend on row order).
                    seen[i] = true;
                    // A value that is a number only with group separators ("1,000", or "0,5" read with the invariant culture)
                    // still makes a number column, so that reading it fails with a hint instead of making the column text.
                    bool isNumber = reader.TryParse(i, out float _)
                        || (_groupSeparator != 0 && float.TryParse(reader.GetString(i), NumberStyles.Float | NumberStyles.AllowThousands, _options.Culture, out _));
                    numeric[i] = numeric[i] && isNumber;
                    boolean[i] = boolean[i] && !isNumber && IsTrueOrFalse(reader.GetString(i));
                }

                rows++;
                hasRecord = reader.Read();
            }

            var kinds = new ColumnKind[names.Length];
            for (int i = 0; i < names.Length; i++)
            {
                kinds[i] = _options.ColumnTypes.TryGetValue(names[i], out ColumnKind given) ? given
                    : !seen[i] || numeric[i] ? ColumnKind.Number
                    : boolean[i] ? ColumnKind.Boolean
                    : ColumnKind.Text;
            }

            var unknown = _options.ColumnTypes.Keys.Where(k => !names.Contains(k, StringComparer.Ordinal)).ToList();
            if (unknown.Count > 0)
            {
                throw new DataSchemaException(_source, $"ColumnTypes names {string.Join(", ", unknown.Select(u => $"'{u}'"))}, which {(unknown.Count == 1 ? "is not a column" : "are not columns")} of {_source}; the columns are: {string.Join(", ", names)}.", unknown[0]);
            }

            if (kinds.Contains(ColumnKind.Vector))
            {
                throw new DataSchemaException(_source, "A CSV column cannot be read as a vector; give Number, Boolean or Text.");
            }

            return (names, kinds);
        }
        catch (CsvFormatException ex)
        {
            throw Wrap(ex);
        }
    }

    public static DataViewSchema ToSchema(string[] names, ColumnKind[] kinds)
        => new DataTable(names.Select((n, i) => Empty(n, kinds[i]))).Schema;

    private static DataTableColumn Empty(string name, ColumnKind kind) => kind switch
    {
        ColumnKind.Boolean => new BooleanColumn(name, []),
        ColumnKind.Text => new TextColumn(name, []),
        _ => new NumberColumn(name, []),
    };

    /// <summary>Reads every record into a table.</summary>
    public (DataTable Table, List<SkippedRow> Skipped, long SkippedCount) Parse(Func<CsvReaderOptions, CsvReader> open, string[] names, ColumnKind[] kinds, IProgress<long>? rowsRead, CancellationToken cancellationToken)
    {
        var skipped = new List<SkippedRow>();
        long skippedCount = 0;
        void Skip(long line, string? column, string reason)
        {
            skippedCount++;
            if (skipped.Count < _options.MaxSkippedRowsReported)
            {
                skipped.Add(new SkippedRow(line, column, reason));
            }
        }

        using CsvReader reader = Open(open, ReaderOptions(r => Skip(r.LineNumber, null, Describe(r.Reason))));
        int n = names.Length;
        var numbers = new List<float>?[n];
        var texts = new List<string?>?[n];
        var bools = new List<bool>?[n];
        for (int i = 0; i < n; i++)
        {
            switch (kinds[i])
            {
                case ColumnKind.Text: texts[i] = []; break;
                case ColumnKind.Boolean: bools[i] = []; break;
                default: numbers[i] = []; break;
            }
        }

        int rows = 0;
        try
        {
            ReadNames(reader, out bool hasRecord, names);
            while (hasRecord)
            {
                if ((rows & 0x3FFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    rowsRead?.Report(rows);
                }

                (int Column, ColumnKind Kind)? bad = null;
                for (int i = 0; i < n && bad is null; i++)
                {
                    switch (kinds[i])
                    {
                        case ColumnKind.Text:
                            texts[i]!.Add(reader.GetStringOrNull(i));
                            break;
                        case ColumnKind.Boolean:
                            if (reader.TryParse(i, out bool b))
                            {
                                bools[i]!.Add(b);
                            }
                            else
                            {
                                bad = (i, ColumnKind.Boolean);
                            }

                            break;
                        default:
                            if (_numericMissingTokens && reader.IsNull(i))
                            {
                                numbers[i]!.Add(float.NaN);
                            }
                            else if (reader.TryParse(i, out float f) && float.IsFinite(f))
                            {
                                numbers[i]!.Add(f);
                            }
                            else if (float.IsNaN(f) || IsMissingField(reader, i))
                            {
                                numbers[i]!.Add(float.NaN);
                            }
                            else
                            {
                                bad = (i, ColumnKind.Number);
                            }

                            break;
                    }
                }

                if (bad is { } problem)
                {
                    string message = BadValue(reader, names[problem.Column], problem.Column, problem.Kind);
                    if (_options.BadRows == BadRowHandling.Fail)
                    {
                        throw new CsvDataException(_source, $"{_source}, line {reader.LineNumber}: {message}", reader.LineNumber, names[problem.Column], problem.Kind);
                    }

                    Skip(reader.LineNumber, names[problem.Column], message);
                    Truncate(numbers, texts, bools, rows);
                }
                else
                {
                    rows++;
                }

                hasRecord = reader.Read();
            }
        }
        catch (CsvFormatException ex)
        {
            throw Wrap(ex);
        }

        rowsRead?.Report(rows);
        var columns = new DataTableColumn[n];
        for (int i = 0; i < n; i++)
        {
            columns[i] = kinds[i] switch
            {
                ColumnKind.Text => new TextColumn(names[i], [.. texts[i]!]),
                ColumnKind.Boolean => new BooleanColumn(names[i], [.. bools[i]!]),
                _ => new NumberColumn(names[i], [.. numbers[i]!]),
            };
        }

        return (new DataTable(columns), skipped, skippedCount);
    }

    private static void Truncate(List<float>?[] numbers, List<string?>?[] texts, List<bool>?[] bools, int rows)
    {
        for (int i = 0; i < numbers.Length; i++)
        {
            if (numbers[i] is { } a && a.Count > rows)
            {
                a.RemoveRange(rows, a.Count - rows);
            }

            if (texts[i] is { } b && b.Count > rows)
            {
                b.RemoveRange(rows, b.Count - rows);
            }

            if (bools[i] is { } c && c.Count > rows)
            {
                c.RemoveRange(rows, c.Count - rows);
            }
        }
    }

    /// <summary>
    /// Only the words true and false make a column boolean: yes/no, y/n and t/f stay text, so that a label such as
    /// yes/no keeps its values (a boolean column given in ColumnTypes still reads all of them).
    /// </summary>
    private static bool IsTrueOrFalse(string value)
        => value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase);

    private static NumberFormatInfo NoGroupSeparator(CultureInfo culture)
    {
        var format = (NumberFormatInfo)culture.NumberFormat.Clone();
        format.NumberGroupSeparator = "\u0001";
        return format;
    }

    private bool HasGroupSeparator(CsvReader reader, int i)
        => _groupSeparator != 0 && reader.GetRawSpan(i).IndexOf(_groupSeparator) >= 0;

    private static bool IsMissingField(CsvReader reader, int i) => reader.IsNull(i);

    private string BadValue(CsvReader reader, string column, int index, ColumnKind kind)
    {
        string expected = kind == ColumnKind.Boolean ? "a boolean (true/false, yes/no, 1/0)" : "a finite number";
        string found = kind == ColumnKind.Boolean && IsMissingField(reader, index) ? "a missing value, which a boolean column cannot hold (declare it as Number to read missing values as NaN)"
            : _options.IncludeValuesInErrors ? $"'{reader.GetString(index)}'"
            : "a value that is not one";
        string hint = kind == ColumnKind.Number && HasGroupSeparator(reader, index)
            ? $" (it contains the group separator '{(char)_groupSeparator}': set Culture to one whose decimal separator it is, or AllowThousandsSeparators)"
            : kind == ColumnKind.Number && !_options.ColumnTypes.ContainsKey(column) ? $" (the column was inferred as a number from the first {_options.InferenceSampleRows} rows; set ColumnTypes[\"{column}\"] = ColumnKind.Text if it is text)"
            : string.Empty;
        return $"column '{column}' expected {expected} but found {found}{hint}.";
    }

    private string[] ReadNames(CsvReader reader, out bool hasRecord, string[]? expected = null)
    {
        IReadOnlyList<string> header = _options.HasHeader ? reader.Headers : [];
        if (_options.HasHeader && header.Count == 0)
        {
            throw new CsvDataException(_source, $"{_source} is empty: it has no header row.", 1);
        }

        hasRecord = reader.Read();
        string[] names;
        if (_options.HasHeader)
        {
            names = header.Select((h, i) => h.Trim('\uFEFF').Trim()).Select((h, i) => h.Length == 0 ? $"Column{i + 1}" : h).ToArray();
        }
        else if (_options.ColumnNames.Count > 0)
        {
            if (!hasRecord)
            {
                throw new CsvDataException(_source, $"{_source} is empty: it has no records.", 1);
            }

            names = [.. _options.ColumnNames];
            if (hasRecord && reader.FieldCount != names.Length)
            {
                throw new CsvDataException(_source, $"{_source}, line {reader.LineNumber}: the record has {reader.FieldCount} fields but {names.Length} column names were given.", reader.LineNumber);
            }
        }
        else if (hasRecord)
        {
            names = Enumerable.Range(1, reader.FieldCount).Select(i => $"Column{i}").ToArray();
        }
        else
        {
            throw new CsvDataException(_source, $"{_source} is empty: it has no records.", 1);
        }

        var duplicates = names.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new CsvDataException(_source, $"{_source}, line 1: the header names {string.Join(", ", duplicates.Select(d => $"'{d}'"))} more than once; column names must be unique.", 1, duplicates[0]);
        }

        if (expected is not null && !names.SequenceEqual(expected, StringComparer.Ordinal))
        {
            throw new CsvDataException(_source, $"{_source} changed while it was read: its header is no longer {string.Join(", ", expected)}.", 1);
        }

        return names;
    }

    private CsvReader Open(Func<CsvReaderOptions, CsvReader> open, CsvReaderOptions options)
    {
        try
        {
            return open(options);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CsvDataException(_source, $"{_source} does not exist.", innerException: ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CsvDataException(_source, $"{_source} could not be opened: {ex.Message}", innerException: ex);
        }
    }

    private CsvDataException Wrap(CsvFormatException ex)
    {
        long? line = ex.LineNumber > 0 ? ex.LineNumber : null;
        return new CsvDataException(_source, $"{_source}{(line is null ? string.Empty : $", line {line}")}: {ex.Message}", line, innerException: ex);
    }

    private static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.FieldCountMismatch => "the record's field count differs from the header's",
        CsvMalformedReason.UnterminatedQuote => "a quoted field is never closed",
        CsvMalformedReason.StrayQuote => "a quote inside an unquoted field",
        CsvMalformedReason.TextAfterClosingQuote => "text after the closing quote of a quoted field",
        _ => $"malformed record ({reason})",
    };
}
