using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using CsvHelper;
using Microsoft.ML;
using MlToolkit.Data;

namespace MlToolkit.Extraction.Csv;

/// <summary>
/// Reads CSV with CsvHelper 34's UTF-8 reader (<c>Read()</c> + <c>TryParse&lt;T&gt;(i)</c>) straight into columnar
/// arrays, through a <see cref="CsvRecordReader"/> that bounds records and resumes after broken quoting. CsvHelper's
/// lenient defaults are replaced: malformed quoting, records past the size limits, wrong field counts, bytes that are not
/// UTF-8 and missing fields throw (strict) or skip the record (lenient), as <see cref="CsvDataException"/>.
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
            : NoGroupSeparator(options.Culture);
    }

    public CsvReaderOptions ReaderOptions() => new()
    {
        HasHeader = _options.HasHeader,
        Mode = _options.AllowQuotes ? CsvMode.Rfc4180 : CsvMode.NoEscape,
        Separator = _options.Separator,
        DetectSeparatorHint = _options.Separator is null,
        TrimWhitespace = _options.TrimWhitespace,
        FormatProvider = _numberFormat,
        NullValues = ["", .. _options.MissingValues],
        MissingField = CsvMissingFieldHandling.Throw,
        IncludeValuesInExceptions = _options.IncludeValuesInErrors,
        TrackLineNumbers = true,
        PoolStrings = true,
    };

    /// <summary>Reads the header and a sample, and returns the column names and kinds.</summary>
    public (string[] Names, ColumnKind[] Kinds) InferSchema(Func<CsvInput> open)
    {
        using CsvInput input = Open(open);
        // Bad records in the sample are skipped quietly when skipping is allowed: the read counts them.
        using var records = new CsvRecordReader(input, ReaderOptions(), _options, _source, p =>
        {
            if (_options.BadRows == BadRowHandling.Fail)
            {
                throw Problem(p);
            }
        });
        string[] names = ReadNames(records, input, out bool hasRecord);
        if (names.All(_options.ColumnTypes.ContainsKey))
        {
            hasRecord = false; // every kind is given: no sample to read
        }

        int tokenCap = (_options.InferenceSampleRows / 10) + 1;
        var samples = names.Select(_ => new ColumnSample(tokenCap)).ToArray();
        int rows = 0;
        while (hasRecord && rows < _options.InferenceSampleRows)
        {
            CsvReader reader = records.Current;
            for (int i = 0; i < names.Length; i++)
            {
                if (IsMissingField(reader, i))
                {
                    samples[i].AddMissing();
                    continue;
                }

                // Each value on its own: a boolean column holds only boolean words, never a digit (CsvHelper's
                // boolean parser accepts 1/0 too, which would make the kind depend on row order).
                // A value that is a number only with group separators ("1,000", or "0,5" read with the invariant culture)
                // still makes a number column, so that reading it fails with a hint instead of making the column text.
                bool isNumber = reader.TryParse(i, out float _)
                    || (_groupSeparator != 0 && float.TryParse(reader.GetString(i), NumberStyles.Float | NumberStyles.AllowThousands, _options.Culture, out _));
                if (isNumber)
                {
                    samples[i].AddNumber();
                }
                else
                {
                    string value = reader.GetString(i);
                    samples[i].AddOther(value, IsTrueOrFalse(value), records.LineNumber);
                }
            }

            rows++;
            hasRecord = records.Read();
            if (records.PreviousRetracted)
            {
                // The record just sampled was malformed after all (it spanned too many lines): forget its values.
                foreach (ColumnSample sample in samples)
                {
                    sample.Undo();
                }

                rows--;
            }
        }

        var kinds = new ColumnKind[names.Length];
        var mostlyNumeric = new List<int>();
        for (int i = 0; i < names.Length; i++)
        {
            ColumnSample sample = samples[i];
            if (_options.ColumnTypes.TryGetValue(names[i], out ColumnKind given))
            {
                kinds[i] = given;
            }
            else if (sample.NonMissing == 0 || sample.Numbers == sample.NonMissing)
            {
                kinds[i] = ColumnKind.Number;
            }
            else if (sample.Booleans == sample.NonMissing)
            {
                kinds[i] = ColumnKind.Boolean;
            }
            else
            {
                kinds[i] = ColumnKind.Text;
                if (sample.IsMostlyNumeric && !_options.AllowMostlyNumericText)
                {
                    mostlyNumeric.Add(i);
                }
            }
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

        if (mostlyNumeric.Count > 0)
        {
            throw MostlyNumeric(names, samples, mostlyNumeric, rows);
        }

        return (names, kinds);
    }

    /// <summary>The error for columns that are numbers but for a few sampled values: never quietly read as text.</summary>
    private CsvDataException MostlyNumeric(string[] names, ColumnSample[] samples, List<int> columns, int rows)
    {
        var parts = new List<string>();
        foreach (int i in columns)
        {
            ColumnSample sample = samples[i];
            int others = sample.NonMissing - sample.Numbers;
            var tokens = sample.Tokens!.OrderBy(t => t.Value.FirstLine).ToList();
            string listed = string.Join(", ", tokens.Take(3).Select(t => $"{DescribeToken(t.Key)} ({t.Value.Count} {(t.Value.Count == 1 ? "time" : "times")}, first on line {t.Value.FirstLine})"));
            string more = tokens.Count > 3 ? $" and {tokens.Count - 3} other distinct {(tokens.Count - 3 == 1 ? "value" : "values")}" : string.Empty;
            parts.Add($"column '{names[i]}' is numeric but for {others} of its {sample.NonMissing} non-missing sampled values: {listed}{more}");
        }

        int first = columns[0];
        string firstName = names[first];
        string missing = _options.IncludeValuesInErrors && samples[first].Tokens!.Count > 0
            ? $"MissingValues.Add(\"{samples[first].Tokens!.OrderBy(t => t.Value.FirstLine).First().Key}\")"
            : "MissingValues.Add(...)";
        string values = _options.IncludeValuesInErrors ? string.Empty : " Set IncludeValuesInErrors to see the values in this message.";
        string message = $"{_source}: {string.Join("; ", parts)}. Such a column is not read as text, which would make every number a category: "
            + $"if the value means missing, add it to MissingValues ({missing}); if the column really is text, set ColumnTypes[\"{firstName}\"] = ColumnKind.Text "
            + $"(or AllowMostlyNumericText = true for every such column); to refuse or skip those rows instead, set ColumnTypes[\"{firstName}\"] = ColumnKind.Number. "
            + $"(Inferred from the first {rows} rows; a column is numeric when at least 90% of its sampled values are numbers.){values}";
        return new CsvDataException(_source, message, samples[first].Tokens!.Min(t => t.Value.FirstLine), firstName, ColumnKind.Number);
    }

    private string DescribeToken(string token)
    {
        string kind = IsInfinityWord(token) ? "an infinity" : $"a {token.Length}-character value";
        return _options.IncludeValuesInErrors ? $"'{token}'{(IsInfinityWord(token) ? " (an infinity)" : string.Empty)}" : kind;
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
    public (DataTable Table, List<SkippedRow> Skipped, long SkippedCount) Parse(Func<CsvInput> open, string[] names, ColumnKind[] kinds, IProgress<long>? rowsRead, CancellationToken cancellationToken)
    {
        var skipped = new List<SkippedRow>();
        long skippedCount = 0;
        bool lastAccepted = false;
        void Skip(long line, string? column, string reason)
        {
            skippedCount++;
            if (skipped.Count < _options.MaxSkippedRowsReported)
            {
                skipped.Add(new SkippedRow(line, column, reason));
            }
        }

        void Report(CsvProblem problem)
        {
            if (_options.BadRows == BadRowHandling.Fail)
            {
                throw Problem(problem);
            }

            if (problem.Retracts && !lastAccepted)
            {
                return; // the record was skipped already, for a value
            }

            Skip(problem.RecordLine, problem.Column, problem.ResumedAt is { } resumed ? $"{problem.Message}; reading resumed at line {resumed}" : problem.Message);
        }

        using CsvInput input = Open(open);
        using var records = new CsvRecordReader(input, ReaderOptions(), _options, _source, Report);
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
        ReadNames(records, input, out bool hasRecord, names);
        while (hasRecord)
        {
            if ((rows & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                rowsRead?.Report(rows);
            }

            CsvReader reader = records.Current;
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
                            // Empty, a MissingValues token, or the word NaN: missing.
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
                    throw new CsvDataException(_source, $"{_source}, line {records.LineNumber}: {message}", records.LineNumber, names[problem.Column], problem.Kind);
                }

                Skip(records.LineNumber, names[problem.Column], message);
                Truncate(numbers, texts, bools, rows);
                lastAccepted = false;
            }
            else
            {
                rows++;
                lastAccepted = true;
            }

            hasRecord = records.Read();
            if (records.PreviousRetracted)
            {
                if (lastAccepted)
                {
                    rows--;
                    Truncate(numbers, texts, bools, rows);
                }

                lastAccepted = false;
            }
        }

        long total = rows + skippedCount;
        if (_options.BadRows == BadRowHandling.Skip && skippedCount > 0 && skippedCount > _options.MaxSkippedRowShare * total)
        {
            string first = string.Join("; ", skipped.Take(3).Select(r => $"line {r.Line}: {r.Reason}"));
            throw new CsvDataException(
                _source,
                $"{_source}: {skippedCount} of {total} rows were skipped ({Percent((double)skippedCount / total)}), more than MaxSkippedRowShare ({Percent(_options.MaxSkippedRowShare)}) allows. "
                + $"So many bad rows usually mean a wrong Separator, quote or Encoding, or a broken export, and the rows left would not be a fair sample. The first: {first}. "
                + "Fix the file, or raise MaxSkippedRowShare (1 skips without limit).",
                skipped[0].Line,
                skipped[0].Column);
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

    private static string Percent(double share) => (share * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private CsvDataException Problem(CsvProblem problem)
    {
        string limit = problem.Message.Contains("MaxRecord", StringComparison.Ordinal)
            ? " Close the quote, or raise the limit if records really are that long."
            : string.Empty;
        return new CsvDataException(_source, $"{_source}, line {problem.Line}: {problem.Message}.{limit}", problem.Line, problem.Column) { ByteOffset = problem.ByteOffset };
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
            : kind == ColumnKind.Number ? NumberKind(reader.GetString(index)) + (_options.IncludeValuesInErrors ? $" ('{reader.GetString(index)}')" : string.Empty)
            : _options.IncludeValuesInErrors ? $"'{reader.GetString(index)}'"
            : "a value that is not one";
        string hint = kind == ColumnKind.Number && HasGroupSeparator(reader, index)
            ? $" (it contains the group separator '{(char)_groupSeparator}': set Culture to one whose decimal separator it is, or AllowThousandsSeparators)"
            : kind == ColumnKind.Number && !_options.ColumnTypes.ContainsKey(column) ? $" (the column was inferred as a number from the first {_options.InferenceSampleRows} rows; add the value to MissingValues if it means missing, or set ColumnTypes[\"{column}\"] = ColumnKind.Text if the column is text)"
            : string.Empty;
        return $"column '{column}' expected {expected} but found {found}{hint}.";
    }

    /// <summary>What kind of value a number column could not hold: an infinity, a number out of range, or no number at all.</summary>
    private string NumberKind(string value)
    {
        if (float.TryParse(value, NumberStyles.Float, _numberFormat, out float f) && float.IsInfinity(f))
        {
            return value.AsSpan().IndexOfAnyInRange('0', '9') >= 0
                ? "a number beyond the range of a 32-bit float (about ±3.4E+38)"
                : "an infinity";
        }

        return IsInfinityWord(value) ? "an infinity" : "a value that is not a number";
    }

    /// <summary>Whether a value spells an infinity (<c>inf</c>, <c>-Infinity</c>, <c>∞</c>…), whether or not the culture parses it.</summary>
    private static bool IsInfinityWord(string value)
    {
        ReadOnlySpan<char> word = value.AsSpan().Trim().TrimStart("+-");
        return word is "∞" || word.Equals("inf", StringComparison.OrdinalIgnoreCase) || word.Equals("infinity", StringComparison.OrdinalIgnoreCase);
    }

    private string[] ReadNames(CsvRecordReader records, CsvInput input, out bool hasRecord, string[]? expected = null)
    {
        IReadOnlyList<string> header = _options.HasHeader ? records.ReadHeader() : [];
        if (_options.HasHeader && header.Count == 0)
        {
            throw new CsvDataException(_source, $"{_source} is empty: it has no header row.", 1);
        }

        string[] names;
        if (_options.HasHeader)
        {
            names = header.Select((h, i) => h.Trim('\uFEFF').Trim()).Select((h, i) => h.Length == 0 ? $"Column{i + 1}" : h).ToArray();
            CheckHeaderEncoding(input, header);
            if (names.Length == 1 && !StartsWithQuote(input.ReadBytes(0, 64)))
            {
                CheckSingleColumn(names[0], 1, "header");
            }

            records.Names = names;
            hasRecord = records.Read();
        }
        else if (_options.ColumnNames.Count > 0)
        {
            names = [.. _options.ColumnNames];
            records.Names = names;
            hasRecord = records.Read();
            if (!hasRecord)
            {
                throw new CsvDataException(_source, $"{_source} is empty: it has no records.", 1);
            }
        }
        else
        {
            hasRecord = records.Read();
            if (!hasRecord)
            {
                throw new CsvDataException(_source, $"{_source} is empty: it has no records.", 1);
            }

            names = records.Names!;
        }

        if (!_options.HasHeader && hasRecord && records.Current.FieldCount == 1)
        {
            ReadOnlySpan<byte> raw = records.Current.GetRawSpan(0).Trim(" \t"u8);
            if (!raw.StartsWith("\""u8))
            {
                CheckSingleColumn(Encoding.UTF8.GetString(raw), records.LineNumber, "first record");
            }
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

    private static bool StartsWithQuote(ReadOnlySpan<byte> start)
    {
        if (start.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            start = start[3..];
        }

        return start.TrimStart(" \t"u8).StartsWith("\""u8);
    }

    /// <summary>
    /// A file read with the wrong separator comes out as one column whose header (or first record) holds the real
    /// separator: say so, rather than read a one-column table or fail on every row. A real one-column file whose name
    /// holds one of these characters can quote it.
    /// </summary>
    private void CheckSingleColumn(string text, long line, string what)
    {
        if (_options.Separator is not { } separator)
        {
            return;
        }

        (char Candidate, int Count) best = default;
        foreach (char candidate in ",;\t|")
        {
            int count = text.AsSpan().Count(candidate);
            if (candidate != separator && count > best.Count)
            {
                best = (candidate, count);
            }
        }

        if (best.Count == 0)
        {
            return;
        }

        string shown = Show(best.Candidate);
        string literal = best.Candidate == '\t' ? "'\\t'" : $"'{best.Candidate}'";
        throw new CsvDataException(
            _source,
            $"{_source}, line {line}: the {what} is a single column, but it holds {shown} {best.Count} {(best.Count == 1 ? "time" : "times")} and no {Show(separator)}: the file looks {shown}-separated. "
            + $"Set Separator = {literal} (or Separator = null to detect it). If the file really has one column, quote the {(what == "header" ? "name" : "values")}.",
            line);

        static string Show(char c) => c == '\t' ? "tab" : $"'{c}'";
    }

    /// <summary>
    /// Header names with U+FFFD came from bytes that are not UTF-8 (or, rarely, from a real U+FFFD): look at the header's
    /// bytes to tell, and refuse a file in another encoding before any row is read.
    /// </summary>
    private void CheckHeaderEncoding(CsvInput input, IReadOnlyList<string> header)
    {
        int column = -1;
        for (int i = 0; i < header.Count && column < 0; i++)
        {
            column = header[i].Contains('\uFFFD', StringComparison.Ordinal) ? i : -1;
        }

        if (column < 0 || input.Transcoded)
        {
            return;
        }

        int breaks = header.Sum(h => CsvRecordReader.LineBreaks(Encoding.UTF8.GetBytes(h)));
        byte[] start = input.ReadBytes(0, 8);
        bool hint = (StartsWithQuote(start) ? start : start.AsSpan().TrimStart((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])).StartsWith("sep="u8);
        long end = input.SkipLines(0, breaks + 1 + (hint ? 1 : 0));
        byte[] bytes = input.ReadBytes(0, (int)Math.Min(end, _options.MaxRecordBytes));
        if (Utf8.IsValid(bytes))
        {
            return;
        }

        int index = 0;
        while (Rune.DecodeFromUtf8(bytes.AsSpan(index), out _, out int consumed) == OperationStatus.Done)
        {
            index += consumed;
        }

        long line = hint ? 2 : 1;
        string name = header[column].Trim('\uFEFF').Trim();
        throw new CsvDataException(
            _source,
            $"{_source}, line {line}: the header holds bytes that are not valid UTF-8 (at byte offset {index}, in the name of column {column + 1}, read as '{name}'): "
            + "the file is probably in another encoding, such as Latin-1 or Windows-1252; set Encoding to it (Encoding = Encoding.Latin1).",
            line,
            name)
        { ByteOffset = index };
    }

    private CsvInput Open(Func<CsvInput> open)
    {
        try
        {
            return open();
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

    /// <summary>What the inference sample saw in one column; the last record's share can be taken back.</summary>
    private sealed class ColumnSample(int tokenCap)
    {
        private int _last; // 0 none, 1 missing, 2 number, 3 other
        private string? _lastToken;
        private bool _lastBoolean;

        public int NonMissing { get; private set; }

        public int Numbers { get; private set; }

        public int Booleans { get; private set; }

        /// <summary>The non-numeric values, their counts and first lines; <see langword="null"/> once there are too many to be stray tokens.</summary>
        public Dictionary<string, (int Count, long FirstLine)>? Tokens { get; private set; } = new(StringComparer.Ordinal);

        /// <summary>Numbers but for a few values: at least 90% of the non-missing values are numbers, and some are not.</summary>
        public bool IsMostlyNumeric => Tokens is { Count: > 0 } && Numbers < NonMissing && Numbers >= 0.9 * NonMissing;

        public void AddMissing() => _last = 1;

        public void AddNumber()
        {
            NonMissing++;
            Numbers++;
            _last = 2;
        }

        public void AddOther(string value, bool boolean, long line)
        {
            NonMissing++;
            Booleans += boolean ? 1 : 0;
            _lastBoolean = boolean;
            _last = 3;
            _lastToken = null;
            if (Tokens is null)
            {
                return;
            }

            if (NonMissing - Numbers > tokenCap)
            {
                Tokens = null;
                return;
            }

            Tokens[value] = Tokens.TryGetValue(value, out (int Count, long FirstLine) seen) ? (seen.Count + 1, seen.FirstLine) : (1, line);
            _lastToken = value;
        }

        public void Undo()
        {
            switch (_last)
            {
                case 2:
                    NonMissing--;
                    Numbers--;
                    break;
                case 3:
                    NonMissing--;
                    Booleans -= _lastBoolean ? 1 : 0;
                    if (_lastToken is not null && Tokens is not null && Tokens.TryGetValue(_lastToken, out (int Count, long FirstLine) seen))
                    {
                        if (seen.Count == 1)
                        {
                            Tokens.Remove(_lastToken);
                        }
                        else
                        {
                            Tokens[_lastToken] = (seen.Count - 1, seen.FirstLine);
                        }
                    }

                    break;
            }

            _last = 0;
            _lastToken = null;
        }
    }
}
