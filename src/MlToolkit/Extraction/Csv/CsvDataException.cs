using MlToolkit.Data;

namespace MlToolkit.Extraction.Csv;

/// <summary>
/// Thrown when a CSV source meets a malformed record, a wrong field count, a missing header, bytes that are not valid
/// UTF-8, a column that is numeric but for a few values, too many skipped rows or a value that does not parse as its
/// column's type. It names the source, the line, the column and the expected type;
/// the value itself only when <see cref="CsvSourceOptions.IncludeValuesInErrors"/> is set.
/// </summary>
public sealed class CsvDataException : DataSourceException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The file, stream or store key.</param>
    /// <param name="message">The message.</param>
    /// <param name="line">The 1-based line, when known.</param>
    /// <param name="column">The column, when known.</param>
    /// <param name="expectedKind">The kind the column expected, when a value did not parse.</param>
    /// <param name="innerException">CsvHelper's exception, if it found the problem.</param>
    public CsvDataException(string source, string message, long? line = null, string? column = null, ColumnKind? expectedKind = null, Exception? innerException = null)
        : base(source, message, line, column, innerException)
    {
        ExpectedKind = expectedKind;
    }

    /// <summary>The kind the column expected, when a value did not parse.</summary>
    public ColumnKind? ExpectedKind { get; }

    /// <summary>
    /// The offset of the problem in bytes from the start of the input (a byte order mark included), when known: the first
    /// byte that is not valid UTF-8, or where malformed quoting was found. For input transcoded from another
    /// <see cref="CsvSourceOptions.Encoding"/>, it is an offset in the UTF-8 text.
    /// </summary>
    public long? ByteOffset { get; init; }
}
