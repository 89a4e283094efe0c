using MlToolkit.Data;
using MlToolkit.Internal;

namespace MlToolkit.Extraction.Database;

/// <summary>What a database source does with a SQL <c>NULL</c>.</summary>
public enum NullHandling
{
    /// <summary>
    /// A <c>NULL</c> number is <see cref="float.NaN"/> and a <c>NULL</c> text is <see langword="null"/>: missing, as in a
    /// CSV file. A boolean cannot be missing, so a <c>NULL</c> boolean still stops the read, naming the column and row and
    /// saying how to map it (<c>ColumnTypes[column] = ColumnKind.Number</c> reads it as 1, 0 or NaN).
    /// </summary>
    Missing,

    /// <summary>Any <c>NULL</c> stops the read with a <see cref="DataSourceException"/> naming the column and the row.</summary>
    Fail,
}

/// <summary>What a database source does with an infinite floating-point value (<c>'Infinity'</c> in PostgreSQL).</summary>
public enum InfinityHandling
{
    /// <summary>Stop with a <see cref="DataSourceException"/> naming the column and the row.</summary>
    Fail,

    /// <summary>Read it as missing (<see cref="float.NaN"/>).</summary>
    Missing,
}

/// <summary>
/// Options of <see cref="DatabaseDataSource"/>. Validated when the source is created.
/// </summary>
/// <remarks>
/// <para>How SQL types become columns (by the CLR type the provider reports for each column):</para>
/// <list type="bullet">
/// <item>Numbers (<c>smallint</c>, <c>integer</c>, <c>bigint</c>, <c>real</c>, <c>double precision</c>, <c>numeric</c>, SQLite
/// <c>INTEGER</c> and <c>REAL</c>…) become <see cref="ColumnKind.Number"/>, a 32-bit float: integers above 2^24 lose their
/// last digits, as in any float, so leave identifiers out with <c>Ignore(...)</c>. A value beyond the float range stops the
/// read; a <c>NaN</c> is missing; an infinity follows <see cref="Infinity"/>.</item>
/// <item><c>boolean</c> becomes <see cref="ColumnKind.Boolean"/>.</item>
/// <item>Text, characters, UUIDs and whatever the provider reads as a string (PostgreSQL's <c>json</c>) become
/// <see cref="ColumnKind.Text"/>; dates, times and intervals become text in ISO 8601
/// (round-trip format), so that they can be ignored or encoded; derive numbers from them in SQL when you need them.</item>
/// <item>Anything else (binary, arrays, geometry…) stops the read when the query starts, naming the column
/// and its type: cast it in SQL or leave it out of the query.</item>
/// <item>SQLite types values, not columns: a column's kind comes from its declared type, or from its first non-NULL value
/// for an expression; a later value of another kind (text in a <c>REAL</c> column) stops the read, where SQLite itself
/// would read it as 0.</item>
/// </list>
/// <para><see cref="ColumnTypes"/> overrides the kind of a column: a boolean or integer column read as
/// <see cref="ColumnKind.Boolean"/> takes 1 and 0 (anything else stops the read), a boolean read as
/// <see cref="ColumnKind.Number"/> becomes 1 or 0, and any column can be read as <see cref="ColumnKind.Text"/>.</para>
/// </remarks>
public sealed class DatabaseSourceOptions
{
    /// <summary>
    /// The SQL query. Put values in <see cref="Parameters"/> and refer to them by name (<c>@since</c> for SQLite and Npgsql),
    /// never by pasting them into the text. Add <c>ORDER BY</c> on a key: without it the database may return rows in another
    /// order on every run, which changes the split and so the model; the source logs a warning when it sees none.
    /// </summary>
    /// <value>The default value is empty; a query is required.</value>
    public string Query { get; set; } = string.Empty;

    /// <summary>The query's parameters by name, as the provider expects them (<c>"@since"</c> or <c>"since"</c>). <see langword="null"/> is sent as SQL <c>NULL</c>.</summary>
    /// <value>The default value is empty.</value>
    public IDictionary<string, object?> Parameters { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>How long the query may run before the provider stops it, or <see langword="null"/> for the provider's default (30 s for most).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TimeSpan? CommandTimeout { get; set; }

    /// <summary>What a SQL <c>NULL</c> becomes.</summary>
    /// <value>The default value is <see cref="NullHandling.Missing"/>.</value>
    public NullHandling Nulls { get; set; } = NullHandling.Missing;

    /// <summary>What an infinite floating-point value becomes.</summary>
    /// <value>The default value is <see cref="InfinityHandling.Fail"/>.</value>
    public InfinityHandling Infinity { get; set; } = InfinityHandling.Fail;

    /// <summary>Column kinds given explicitly, by column name (see the remarks for the conversions allowed).</summary>
    /// <value>The default value is empty.</value>
    public IDictionary<string, ColumnKind> ColumnTypes { get; } = new Dictionary<string, ColumnKind>(StringComparer.Ordinal);

    /// <summary>Whether error messages quote the offending value (values may be personal data, so they are left out by default).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool IncludeValuesInErrors { get; set; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is not valid; the message lists every problem.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Query))
        {
            problems.Add("Query is empty; give the SELECT that returns the data.");
        }

        if (CommandTimeout is { } timeout && (timeout <= TimeSpan.Zero || timeout.TotalSeconds > int.MaxValue))
        {
            problems.Add($"CommandTimeout is {timeout}; it must be positive, or null for the provider's default.");
        }

        if (Parameters.Keys.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add("Parameters has a blank name.");
        }

        Guard.ThrowIfProblems(ColumnTypes, "a database column", "Database source", problems);
    }
}
