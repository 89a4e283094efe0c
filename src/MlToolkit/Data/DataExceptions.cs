namespace MlToolkit.Data;

/// <summary>
/// Thrown when data read from a source is not what the pipeline expects: a malformed row, a value
/// that does not parse as its column's type, a column that is missing or has an unusable type.
/// </summary>
public class DataSourceException : MlToolkitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The source, such as a file path or a store key.</param>
    /// <param name="message">The message; it names the row and column when known.</param>
    /// <param name="line">The 1-based line (or row) where the problem is, or <see langword="null"/>.</param>
    /// <param name="column">The column, or <see langword="null"/>.</param>
    /// <param name="innerException">The cause, if any.</param>
    public DataSourceException(string source, string message, long? line = null, string? column = null, Exception? innerException = null)
        : base(PipelineStage.Extraction, source, message, innerException)
    {
        Line = line;
        Column = column;
    }

    /// <summary>The 1-based line (for text files) or row where the problem is, when known.</summary>
    public long? Line { get; }

    /// <summary>The column with the problem, when known.</summary>
    public string? Column { get; }
}

/// <summary>Thrown when the data's schema cannot be used: an unsupported type, a duplicate or missing column.</summary>
public sealed class DataSchemaException : DataSourceException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The source.</param>
    /// <param name="message">The message.</param>
    /// <param name="column">The column, if one is at fault.</param>
    public DataSchemaException(string source, string message, string? column = null)
        : base(source, message, null, column)
    {
    }
}

/// <summary>
/// Thrown when extracted data cannot be trained on: no rows, a label with fewer than two classes,
/// rows with a missing label (unless dropping them was asked for), a split that leaves a part empty.
/// </summary>
public sealed class DataValidationException : MlToolkitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="stage">The stage that found the problem.</param>
    /// <param name="source">The data source.</param>
    /// <param name="message">The message.</param>
    /// <param name="column">The column at fault, if any.</param>
    public DataValidationException(PipelineStage stage, string? source, string message, string? column = null)
        : base(stage, source, message)
    {
        Column = column;
    }

    /// <summary>The column at fault, when there is one.</summary>
    public string? Column { get; }
}
