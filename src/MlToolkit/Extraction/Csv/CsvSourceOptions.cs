using System.Globalization;
using System.Text;
using MlToolkit.Data;

namespace MlToolkit.Extraction.Csv;

/// <summary>What a CSV source does with a malformed row, a wrong field count or a value that does not parse.</summary>
public enum BadRowHandling
{
    /// <summary>Stop with a <see cref="CsvDataException"/> naming the source, line, column and expected type.</summary>
    Fail,

    /// <summary>
    /// Skip the row, count it and report the first ones in the data-quality report. After a record whose quoting is broken
    /// across lines (a quote that is never closed), reading resumes at the line after the record's first line, so one bad
    /// quote costs one row. The read still stops when more than <see cref="CsvSourceOptions.MaxSkippedRowShare"/> of the
    /// rows are skipped.
    /// </summary>
    Skip,
}

/// <summary>Options of <see cref="CsvDataSource"/>. Validated when the source is created.</summary>
public sealed class CsvSourceOptions
{
    /// <summary>Whether the first record is a header.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool HasHeader { get; set; } = true;

    /// <summary>Column names for a file without a header; when empty, columns are named <c>Column1</c>, <c>Column2</c>…</summary>
    /// <value>The default value is empty.</value>
    public IList<string> ColumnNames { get; } = [];

    /// <summary>The field separator; <see langword="null"/> detects it from the first lines (among , ; tab |).</summary>
    /// <value>The default value is <c>','</c>.</value>
    public char? Separator { get; set; } = ',';

    /// <summary>
    /// Whether fields may be quoted as RFC 4180 says. Set <see langword="false"/> for TSV exports and logs in which a quote
    /// is ordinary text (strict reading otherwise rejects a quote inside an unquoted field).
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool AllowQuotes { get; set; } = true;

    /// <summary>Whether spaces and tabs around values are removed (outside quotes).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool TrimWhitespace { get; set; } = true;

    /// <summary>The culture numbers are read with.</summary>
    /// <value>The default value is <see cref="CultureInfo.InvariantCulture"/>.</value>
    public CultureInfo Culture { get; set; } = CultureInfo.InvariantCulture;

    /// <summary>
    /// Values that mean "missing", matched exactly after trimming; an empty field is always missing. A missing
    /// number is <see cref="float.NaN"/> (never 0); missing text is <see langword="null"/>. In a number column the word
    /// <c>NaN</c> (any case, as <see cref="float.TryParse(string, NumberStyles, IFormatProvider, out float)"/> reads it) is
    /// missing too, as a <c>NaN</c> from a database is: it is how NumPy and others write a missing number, and a
    /// <see cref="float"/> column holds missing values as <see cref="float.NaN"/>.
    /// </summary>
    /// <value>The default value is <c>?</c> and <c>NA</c>.</value>
    public IList<string> MissingValues { get; } = ["?", "NA"];

    /// <summary>Column kinds given explicitly, by column name; the other columns are inferred from a sample.</summary>
    /// <value>The default value is empty.</value>
    public IDictionary<string, ColumnKind> ColumnTypes { get; } = new Dictionary<string, ColumnKind>(StringComparer.Ordinal);

    /// <summary>
    /// How many data rows are read to infer column kinds: a column is a number when every non-missing sampled value parses
    /// as one, a boolean when every one is true or false (any case), text otherwise (so yes/no stays text and keeps its
    /// values; give ColumnKind.Boolean in ColumnTypes to read yes/no, y/n, t/f or 1/0 as booleans). A column that is
    /// numeric but for a few values (at least 90% of its non-missing sampled values are numbers, and some are not, such as
    /// <c>n/a</c> or <c>-</c>) is refused with a <see cref="CsvDataException"/> naming the column, the values (or their
    /// length, unless <see cref="IncludeValuesInErrors"/> is set), how often and on which line each first occurs: add such
    /// a token to <see cref="MissingValues"/>, declare the column in <see cref="ColumnTypes"/>, or set
    /// <see cref="AllowMostlyNumericText"/>.
    /// </summary>
    /// <value>The default value is 1,000.</value>
    public int InferenceSampleRows { get; set; } = 1000;

    /// <summary>
    /// Whether a column that is numeric but for a few sampled values (see <see cref="InferenceSampleRows"/>) is inferred as
    /// text. Off by default, because such a column is almost always a number column with a missing-value token that
    /// <see cref="MissingValues"/> does not know, and reading it as text turns every number into a category.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowMostlyNumericText { get; set; }

    /// <summary>What to do with bad rows.</summary>
    /// <value>The default value is <see cref="BadRowHandling.Fail"/>.</value>
    public BadRowHandling BadRows { get; set; } = BadRowHandling.Fail;

    /// <summary>Whether error messages quote the offending value (values may be personal data, so they are left out by default).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool IncludeValuesInErrors { get; set; }

    /// <summary>
    /// Whether numbers may contain the culture's group separator, such as <c>"1,000"</c>. Off by default because
    /// CsvHelper would otherwise read a European <c>"0,5"</c> as 5 without a word.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowThousandsSeparators { get; set; }

    /// <summary>How many skipped rows are described in the report (all are counted).</summary>
    /// <value>The default value is 100.</value>
    public int MaxSkippedRowsReported { get; set; } = 100;

    /// <summary>
    /// With <see cref="BadRowHandling.Skip"/>, the largest share of the rows (skipped ones included) that may be skipped;
    /// past it the read stops with a <see cref="CsvDataException"/> giving the counts and the first reasons. More than one
    /// bad row in a hundred is rarely noise: it is a wrong separator, quote or encoding, or an export that broke, and the
    /// rows it drops are seldom a random sample, so training on the rest would be quietly biased. Set 1 to skip without limit.
    /// </summary>
    /// <value>The default value is 0.01 (1%).</value>
    public double MaxSkippedRowShare { get; set; } = 0.01;

    /// <summary>
    /// The most lines one record may span (line breaks inside quoted fields make a record span several). A record past it
    /// is malformed, since it almost always means a quote that is never closed where it should be: strict reading stops
    /// naming the line where the quoted field opens, and <see cref="BadRowHandling.Skip"/> skips it and resumes at the
    /// next line, instead of swallowing the lines that follow into one field. Raise it for free text with long paragraphs.
    /// </summary>
    /// <value>The default value is 100.</value>
    public int MaxRecordLines { get; set; } = 100;

    /// <summary>
    /// The most bytes one record may hold (in UTF-8). A longer record is malformed, as for <see cref="MaxRecordLines"/>; it
    /// also bounds the memory an unclosed quote can take. Python's <c>csv</c> module allows 128 KiB per field by default.
    /// </summary>
    /// <value>The default value is 1,048,576 (1 MiB).</value>
    public int MaxRecordBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// The encoding of the file, stream or store object, such as <see cref="Encoding.Latin1"/> (Windows-1252 and other code
    /// pages need <c>Encoding.RegisterProvider(CodePagesEncodingProvider.Instance)</c> first). A byte order mark (UTF-8,
    /// UTF-16 or UTF-32) takes precedence. UTF-8 input is read in place and checked: bytes that are not valid UTF-8 are
    /// refused as a bad row naming the line, column and byte offset (a Latin-1 file read as UTF-8 would otherwise turn
    /// <c>Müller</c> and <c>Mäller</c> into the same value). Input in another encoding is transcoded to UTF-8 in memory
    /// before it is read, and byte offsets in messages are then offsets in that UTF-8 text.
    /// </summary>
    /// <value>The default value is <see cref="Encoding.UTF8"/>.</value>
    public Encoding Encoding { get; set; } = Encoding.UTF8;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is not valid; the message lists every problem.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (Separator is { } s && (s > 127 || s == '"' || s == '\r' || s == '\n'))
        {
            problems.Add($"Separator '{s}' must be an ASCII character other than a quote or a line break.");
        }

        if (InferenceSampleRows < 1)
        {
            problems.Add($"InferenceSampleRows is {InferenceSampleRows}; it must be at least 1.");
        }

        if (MaxSkippedRowsReported < 0)
        {
            problems.Add("MaxSkippedRowsReported cannot be negative.");
        }

        if (!(MaxSkippedRowShare >= 0 && MaxSkippedRowShare <= 1))
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"MaxSkippedRowShare is {MaxSkippedRowShare}; it must be between 0 and 1 (1 skips without limit)."));
        }

        if (MaxRecordLines < 1)
        {
            problems.Add($"MaxRecordLines is {MaxRecordLines}; it must be at least 1.");
        }

        if (MaxRecordBytes < 1)
        {
            problems.Add($"MaxRecordBytes is {MaxRecordBytes}; it must be at least 1.");
        }

        if (Encoding is null)
        {
            problems.Add("Encoding cannot be null; use Encoding.UTF8.");
        }

        if (Culture is null)
        {
            problems.Add("Culture cannot be null; use CultureInfo.InvariantCulture.");
        }

        if (MissingValues.Any(v => v is null))
        {
            problems.Add("MissingValues cannot contain null.");
        }

        if (!HasHeader && ColumnNames.Distinct(StringComparer.Ordinal).Count() != ColumnNames.Count)
        {
            problems.Add("ColumnNames contains a name twice.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("CSV source options are not valid: " + string.Join(" ", problems));
        }
    }
}
