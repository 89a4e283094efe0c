using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using CsvHelper;

namespace MlToolkit.Extraction.Csv;

/// <summary>A record a <see cref="CsvRecordReader"/> could not return, and why.</summary>
/// <param name="RecordLine">The line where the record starts.</param>
/// <param name="Line">The line where the problem starts (an opening quote can be on a later line of the record).</param>
/// <param name="Column">The column at fault, when known.</param>
/// <param name="Message">What is wrong, without the value.</param>
/// <param name="ByteOffset">The offset of the problem in the UTF-8 input, when known.</param>
/// <param name="ResumedAt">The line reading went on from, when the reader was restarted after the record.</param>
/// <param name="Retracts">Whether the problem is with the record the previous <see cref="CsvRecordReader.Read"/> returned.</param>
internal readonly record struct CsvProblem(long RecordLine, long Line, string? Column, string Message, long? ByteOffset = null, long? ResumedAt = null, bool Retracts = false);

/// <summary>
/// CsvHelper's reader with bounded records: CsvHelper skips malformed quoting and reports it; this reader also refuses a
/// record that spans more than <see cref="CsvSourceOptions.MaxRecordLines"/> lines or holds more than
/// <see cref="CsvSourceOptions.MaxRecordBytes"/> bytes, a record with the wrong field count and a record that is not valid
/// UTF-8. After a record whose quoting is broken across lines (a quote that is never closed, or one that a later stray
/// quote closes), it restarts CsvHelper at the line after the record's first line, so that one bad quote loses one line,
/// not the rest of the file. Every refused record goes to the report callback, which throws (strict) or counts it.
/// </summary>
/// <remarks>
/// The checks cost next to nothing per record: the line and byte span of a record is known from where the next one
/// starts, so a record is looked at again only when that distance exceeds a limit (a long record, or many blank lines).
/// The flip side is that a record is refused one <see cref="Read"/> late: <see cref="PreviousRetracted"/> then tells the
/// caller to drop the record it took last.
/// </remarks>
internal sealed class CsvRecordReader : IDisposable
{
    private readonly CsvInput _input;
    private readonly CsvSourceOptions _settings;
    private readonly string _source;
    private readonly Action<CsvProblem> _report;
    private readonly CsvReaderOptions _options;
    private readonly List<CsvMalformedRecord> _malformed = [];
    private CsvReaderOptions? _restartOptions;
    private CsvReader _reader;
    private long _lineBase;
    private long _offsetBase;
    private (long Line, long Offset)? _previous;
    private (long Line, long Offset) _anchor = (1, 0);
    private string[]? _names;
    private int _fields = -1;
    private readonly long _maxLines;
    private readonly long _maxBytes;
    private readonly bool _checkUtf8;

    public CsvRecordReader(CsvInput input, CsvReaderOptions options, CsvSourceOptions settings, string source, Action<CsvProblem> report)
    {
        _input = input;
        _settings = settings;
        _source = source;
        _report = report;
        _options = options with
        {
            MalformedData = CsvMalformedDataHandling.Skip,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MaxRecordSize = settings.MaxRecordBytes,
            OnMalformedRecord = _malformed.Add,
        };
        _reader = input.OpenReader(0, _options);
        _maxLines = settings.MaxRecordLines;
        _maxBytes = settings.MaxRecordBytes;
        _checkUtf8 = !input.Transcoded;
    }

    /// <summary>The underlying reader, positioned on the current record.</summary>
    public CsvReader Current => _reader;

    /// <summary>The line where the current record starts.</summary>
    public long LineNumber => _lineBase + _reader.LineNumber;

    /// <summary>The offset, in bytes of UTF-8 input, where the current record starts.</summary>
    public long ByteOffset => _offsetBase + _reader.ByteOffset;

    /// <summary>Whether the last <see cref="Read"/> found the record returned before it malformed (and reported it).</summary>
    public bool PreviousRetracted { get; private set; }

    /// <summary>The column names, for messages and the field count; <see langword="null"/> until the first record sets them.</summary>
    public string[]? Names
    {
        get => _names;
        set
        {
            _names = value;
            _fields = value?.Length ?? -1;
        }
    }

    /// <summary>The header's names, or empty without a header. A malformed header always throws.</summary>
    public IReadOnlyList<string> ReadHeader()
    {
        IReadOnlyList<string> header;
        try
        {
            header = _reader.Headers;
        }
        catch (CsvFormatException ex)
        {
            throw new CsvDataException(_source, $"{_source}, line 1: the header is longer than MaxRecordBytes ({_settings.MaxRecordBytes} bytes); a quote in it is probably never closed.", 1, innerException: ex);
        }

        int breaks = header.Sum(h => LineBreaks(Encoding.UTF8.GetBytes(h)));
        if (breaks + 1 > _settings.MaxRecordLines)
        {
            throw new CsvDataException(_source, $"{_source}, line 1: the header spans {breaks + 1} lines, more than MaxRecordLines ({_settings.MaxRecordLines}) allows; a quote in it is probably never closed.", 1);
        }

        if (_malformed.Count > 0)
        {
            CsvMalformedRecord m = _malformed[0];
            (string message, _, string? column, long line) = Describe(m, m.LineNumber);
            throw new CsvDataException(_source, $"{_source}, line {line}: the header is malformed: {message}.", line, column) { ByteOffset = m.ByteOffset };
        }

        return header;
    }

    /// <summary>Moves to the next record that can be read, reporting the ones that cannot.</summary>
    /// <returns>Whether there is one.</returns>
    public bool Read()
    {
        PreviousRetracted = false;
        while (true)
        {
            bool has;
            try
            {
                has = _reader.Read();
            }
            catch (CsvFormatException ex) when (ex.LineNumber > 0)
            {
                // The only exception Read throws with these options: a record that outgrew MaxRecordSize before it ended.
                TooLarge(_lineBase + ex.LineNumber, ByteOffsetOf(ex.ByteOffset));
                continue;
            }

            if (has && _malformed.Count == 0)
            {
                // The common case, kept short: a record, nothing skipped before it.
                long line = _lineBase + _reader.LineNumber;
                long offset = _offsetBase + _reader.ByteOffset;
                if (_previous is { } previous && (line - previous.Line > _maxLines || offset - previous.Offset > _maxBytes)
                    && RetractPreviousIfTooLong(line, offset, atEnd: false))
                {
                    continue;
                }

                _anchor = (line, offset);
                if (_reader.FieldCount != _fields || (_checkUtf8 && !Utf8.IsValid(_reader.RawRecord)))
                {
                    if (RefuseCurrent())
                    {
                        continue;
                    }
                }

                _previous = (line, offset);
                return true;
            }

            // Malformed records were skipped before this one, or the input ended.
            bool atEnd = !has && _malformed.Count == 0;
            (long nextLine, long nextOffset) = _malformed.Count > 0
                ? (_lineBase + _malformed[0].LineNumber, ByteOffsetOf(_malformed[0].ByteOffset))
                : (LineNumber, ByteOffset);
            if (RetractPreviousIfTooLong(nextLine, nextOffset, atEnd))
            {
                continue;
            }

            if (_malformed.Count > 0 && ReportMalformed())
            {
                continue;
            }

            if (!has)
            {
                return false;
            }

            _previous = null;
            _anchor = (LineNumber, ByteOffset);
            if (RefuseCurrent())
            {
                continue;
            }

            _previous = (LineNumber, ByteOffset);
            return true;
        }
    }

    /// <summary>A record that outgrew MaxRecordSize before it ended: reports it (after what came before it) and restarts after its first line.</summary>
    private void TooLarge(long line, long offset)
    {
        _malformed.RemoveAll(m => _lineBase + m.LineNumber >= line);
        if (RetractPreviousIfTooLong(_malformed.Count > 0 ? _lineBase + _malformed[0].LineNumber : line, offset, atEnd: false))
        {
            return;
        }

        if (_malformed.Count > 0 && ReportMalformed())
        {
            return;
        }

        _report(new CsvProblem(line, line, null, $"the record is longer than MaxRecordBytes ({_settings.MaxRecordBytes} bytes); a quote in it is probably never closed", offset, line + 1));
        Restart(line + 1);
    }

    /// <summary>
    /// Checks the current record's field count and bytes (the first record also sets the column count when nothing else
    /// did): returns <see langword="true"/> when it was refused.
    /// </summary>
    private bool RefuseCurrent()
    {
        ReadOnlySpan<byte> raw = _reader.RawRecord;
        if (Names is null && _reader.FieldCount > 0)
        {
            Names = Enumerable.Range(1, _reader.FieldCount).Select(i => $"Column{i}").ToArray();
        }

        if (_reader.FieldCount != _fields)
        {
            string expected = _settings.HasHeader ? $"the header has {_fields}" : _settings.ColumnNames.Count > 0 ? $"{_fields} column names were given" : $"the first record has {_fields}";
            SkipCurrent($"the record has {_reader.FieldCount} {Plural(_reader.FieldCount, "field")}, but {expected}{SpanText(raw)}", null, null);
            return true;
        }

        if (_checkUtf8 && !Utf8.IsValid(raw))
        {
            (string? column, long offset) = FindInvalidUtf8(raw);
            SkipCurrent($"column '{column}' holds bytes that are not valid UTF-8 (at byte offset {offset}): the file is probably in another encoding, such as Latin-1 or Windows-1252; set Encoding to it (Encoding = Encoding.Latin1)", column, offset);
            return true;
        }

        return false;
    }

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();

    /// <summary>The line breaks in <paramref name="s"/>: CR, LF and CR LF each count once.</summary>
    internal static int LineBreaks(ReadOnlySpan<byte> s)
    {
        int count = 0;
        int i = 0;
        while (true)
        {
            int next = s[i..].IndexOfAny((byte)'\r', (byte)'\n');
            if (next < 0)
            {
                return count;
            }

            i += next;
            count++;
            i += s[i] == (byte)'\r' && i + 1 < s.Length && s[i + 1] == (byte)'\n' ? 2 : 1;
        }
    }

    /// <summary>
    /// Finds, in a raw record, the quoted field that is never closed (<paramref name="unterminated"/>), or else the first
    /// quoted field that holds a line break: its 0-based field index and the line breaks before its opening quote. Only for
    /// messages: CsvHelper has already decided that the record is malformed.
    /// </summary>
    internal static (int Field, int LinesBefore)? LocateQuotedField(ReadOnlySpan<char> raw, char separator, bool trimWhitespace, bool unterminated)
    {
        int field = 0;
        int lines = 0;
        int i = 0;
        (int, int)? multiLine = null;
        while (i <= raw.Length)
        {
            int start = i;
            while (trimWhitespace && i < raw.Length && raw[i] is ' ' or '\t')
            {
                i++;
            }

            if (i < raw.Length && raw[i] == '"')
            {
                int linesBefore = lines;
                bool closed = false;
                bool broken = false;
                for (i++; i < raw.Length; i++)
                {
                    if (raw[i] == '"')
                    {
                        if (i + 1 < raw.Length && raw[i + 1] == '"')
                        {
                            i++;
                            continue;
                        }

                        closed = true;
                        i++;
                        break;
                    }

                    if (IsBreak(raw, i))
                    {
                        lines++;
                        broken = true;
                    }
                }

                if (!closed)
                {
                    return (field, linesBefore);
                }

                if (broken && multiLine is null)
                {
                    multiLine = (field, linesBefore);
                }
            }
            else
            {
                i = start;
            }

            for (; i < raw.Length && raw[i] != separator; i++)
            {
                if (IsBreak(raw, i))
                {
                    lines++;
                }
            }

            field++;
            i++;
        }

        return unterminated ? null : multiLine;
    }

    private static bool IsBreak(ReadOnlySpan<char> raw, int i)
        => raw[i] == '\n' ? i == 0 || raw[i - 1] != '\r' : raw[i] == '\r';

    private static string Plural(long n, string word) => n == 1 ? word : word + "s";

    private static string SpanText(ReadOnlySpan<byte> raw)
    {
        int lines = raw.IndexOfAny((byte)'\r', (byte)'\n') < 0 ? 1 : LineBreaks(raw) + 1;
        return lines == 1 ? string.Empty : $" (it spans {lines} lines)";
    }

    private static int FirstInvalid(ReadOnlySpan<byte> raw)
    {
        int index = 0;
        while (index < raw.Length)
        {
            if (Rune.DecodeFromUtf8(raw[index..], out _, out int consumed) != OperationStatus.Done)
            {
                break;
            }

            index += consumed;
        }

        return index;
    }

    private (string? Column, long Offset) FindInvalidUtf8(ReadOnlySpan<byte> raw)
    {
        int index = FirstInvalid(raw);
        string? column = null;
        for (int i = 0; i < _reader.FieldCount; i++)
        {
            ReadOnlySpan<byte> field = _reader.GetRawSpan(i);
            if (!Utf8.IsValid(field))
            {
                column = Names is { } names && i < names.Length ? names[i] : $"Column{i + 1}";
                break;
            }
        }

        return (column, ByteOffset + index);
    }

    private long ByteOffsetOf(long relative) => _offsetBase + relative;

    private string ColumnName(int field) => Names is { } names && field < names.Length ? names[field] : $"field {field + 1}";

    /// <summary>Refuses the current record (already read, not returned): a too long one restarts the reader after its first line.</summary>
    private void SkipCurrent(string message, string? column, long? offset)
    {
        ReadOnlySpan<byte> raw = _reader.RawRecord;
        long line = LineNumber;
        if (raw.Length > _settings.MaxRecordBytes || (raw.Length > _settings.MaxRecordLines && LineBreaks(raw) + 1 > _settings.MaxRecordLines))
        {
            (string tooLong, string? quoted, long quoteLine) = TooLong(Encoding.UTF8.GetString(raw), LineBreaks(raw) + 1, raw.Length, line);
            _report(new CsvProblem(line, quoteLine, quoted, tooLong, ByteOffset, line + 1));
            Restart(line + 1);
            return;
        }

        _report(new CsvProblem(line, line, column, message, offset));
        _previous = null;
    }

    /// <summary>
    /// Checks the record returned last, now that the next one starts at <paramref name="nextLine"/>: when it may span more
    /// lines or bytes than allowed, it is read again to measure it, and a record past a limit is reported and the reader
    /// restarted at the line after its first one.
    /// </summary>
    private bool RetractPreviousIfTooLong(long nextLine, long nextOffset, bool atEnd)
    {
        if (_previous is not { } previous)
        {
            return false;
        }

        long bytes = nextOffset - previous.Offset;
        bool suspicious = bytes > _settings.MaxRecordBytes || (atEnd ? bytes > _settings.MaxRecordLines : nextLine - previous.Line > _settings.MaxRecordLines);
        if (!suspicious)
        {
            return false;
        }

        string? raw = null;
        int lines;
        long length;
        using (CsvReader again = _input.OpenReader(previous.Offset, RestartOptions() with { OnMalformedRecord = null }))
        {
            try
            {
                if (!again.Read())
                {
                    return false;
                }

                ReadOnlySpan<byte> record = again.RawRecord;
                lines = LineBreaks(record) + 1;
                length = record.Length;
                if (lines > _settings.MaxRecordLines || length > _settings.MaxRecordBytes)
                {
                    raw = Encoding.UTF8.GetString(record);
                }
            }
            catch (CsvFormatException)
            {
                lines = 0;
                length = long.MaxValue;
            }
        }

        if (lines <= _settings.MaxRecordLines && length <= _settings.MaxRecordBytes)
        {
            return false;
        }

        (string message, string? column, long quoteLine) = TooLong(raw, lines, length, previous.Line);
        _previous = null;
        PreviousRetracted = true;
        _report(new CsvProblem(previous.Line, quoteLine, column, message, previous.Offset, previous.Line + 1, Retracts: true));
        _anchor = previous;
        Restart(previous.Line + 1);
        return true;
    }

    private (string Message, string? Column, long QuoteLine) TooLong(string? raw, int lines, long length, long line)
    {
        (int Field, int LinesBefore)? quoted = raw is null ? null : LocateQuotedField(raw, _reader.Separator, _settings.TrimWhitespace, unterminated: false);
        string? column = quoted is { } q ? ColumnName(q.Field) : null;
        long quoteLine = quoted is { } r ? line + r.LinesBefore : line;
        string where = column is null ? string.Empty : $"; its quoted field in column '{column}' opens on line {quoteLine} and is probably never closed where it should be";
        string message = length > _settings.MaxRecordBytes
            ? $"the record is longer than MaxRecordBytes ({_settings.MaxRecordBytes} bytes){where}"
            : $"the record spans {lines} lines, more than MaxRecordLines ({_settings.MaxRecordLines}) allows{where}";
        return (message, column, quoteLine);
    }

    /// <summary>Reports the malformed records CsvHelper skipped during the last read; returns whether the reader was restarted.</summary>
    private bool ReportMalformed()
    {
        CsvMalformedRecord[] found = [.. _malformed];
        _malformed.Clear();
        foreach (CsvMalformedRecord m in found)
        {
            long recordLine = _lineBase + m.LineNumber;
            (string message, bool restart, string? column, long line) = Describe(m, recordLine);
            _report(new CsvProblem(recordLine, line, column, message, ByteOffsetOf(m.ByteOffset), restart ? recordLine + 1 : null));
            if (restart)
            {
                Restart(recordLine + 1);
                return true;
            }
        }

        _previous = null;
        return false;
    }

    private (string Message, bool Restart, string? Column, long Line) Describe(CsvMalformedRecord m, long recordLine)
    {
        string raw = m.RawRecord;
        bool multiLine = raw.AsSpan().IndexOfAny('\r', '\n') >= 0;
        switch (m.Reason)
        {
            case CsvMalformedReason.UnterminatedQuote:
            {
                (int Field, int LinesBefore)? q = LocateQuotedField(raw, _reader.Separator, _settings.TrimWhitespace, unterminated: true);
                string? column = q is { } f ? ColumnName(f.Field) : null;
                long line = q is { } l ? recordLine + l.LinesBefore : recordLine;
                return ($"a quoted field{(column is null ? string.Empty : $" in column '{column}'")} opens on line {line} and is never closed{(line == recordLine ? string.Empty : $" (the record starts on line {recordLine})")}", true, column, line);
            }

            case CsvMalformedReason.TextAfterClosingQuote:
            {
                (int Field, int LinesBefore)? q = multiLine ? LocateQuotedField(raw, _reader.Separator, _settings.TrimWhitespace, unterminated: false) : null;
                string? column = q is { } f ? ColumnName(f.Field) : null;
                long line = q is { } l ? recordLine + l.LinesBefore : recordLine;
                string detail = column is null ? string.Empty : $" (the quoted field in column '{column}' opens on line {line} and spans {LineBreaks(Encoding.UTF8.GetBytes(raw)) + 1} lines: probably a quote that is never closed, closed by a later one)";
                return ($"text follows the closing quote of a quoted field{detail}", multiLine, column, line);
            }

            case CsvMalformedReason.StrayQuote:
                return ("a quote inside an unquoted field (set AllowQuotes = false if quotes are ordinary text in this file)", false, null, recordLine);
            default:
                return (string.Create(CultureInfo.InvariantCulture, $"malformed record ({m.Reason})"), false, null, recordLine);
        }
    }

    private CsvReaderOptions RestartOptions()
        => _restartOptions ??= _options with { HasHeader = false, Separator = _reader.Separator, DetectSeparatorHint = false };

    /// <summary>Continues reading at the start of <paramref name="line"/>, found by counting line breaks from the last known record start.</summary>
    private void Restart(long line)
    {
        CsvReaderOptions options = RestartOptions();
        (long anchorLine, long anchorOffset) = _anchor.Line <= line ? _anchor : (1, 0);
        long offset = _input.SkipLines(anchorOffset, line - anchorLine);
        _reader.Dispose();
        _malformed.Clear();
        _reader = _input.OpenReader(offset, options);
        _lineBase = line - 1;
        _offsetBase = offset;
        _previous = null;
        _anchor = (line, offset);
    }
}
