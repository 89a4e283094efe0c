using System.Globalization;
using MlToolkit.Data;

namespace MlToolkit.Extraction.Csv;

/// <summary>What a CSV source does with a malformed row, a wrong field count or a value that does not parse.</summary>
public enum BadRowHandling
{
    /// <summary>Stop with a <see cref="CsvDataException"/> naming the source, line, column and expected type.</summary>
    Fail,

    /// <summary>Skip the row, count it and report the first ones in the data-quality report.</summary>
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
    /// number is <see cref="float.NaN"/> (never 0); missing text is <see langword="null"/>.
    /// </summary>
    /// <value>The default value is <c>?</c> and <c>NA</c>.</value>
    public IList<string> MissingValues { get; } = ["?", "NA"];

    /// <summary>Column kinds given explicitly, by column name; the other columns are inferred from a sample.</summary>
    /// <value>The default value is empty.</value>
    public IDictionary<string, ColumnKind> ColumnTypes { get; } = new Dictionary<string, ColumnKind>(StringComparer.Ordinal);

    /// <summary>How many data rows are read to infer column kinds: a column is a number when every non-missing sampled value parses as one, a boolean when every one is true or false (any case), text otherwise (so yes/no stays text and keeps its values; give ColumnKind.Boolean in ColumnTypes to read yes/no, y/n, t/f or 1/0 as booleans).</summary>
    /// <value>The default value is 1,000.</value>
    public int InferenceSampleRows { get; set; } = 1000;

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
