using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using MlToolkit.Data;
using MlToolkit.Internal;
using DataTable = MlToolkit.Data.DataTable;

namespace MlToolkit.Extraction.Database;

/// <summary>
/// Reads the result of a SQL query from any ADO.NET provider into an in-memory columnar <see cref="Microsoft.ML.IDataView"/>:
/// PostgreSQL through an <c>NpgsqlDataSource</c>, SQLite (the embedded default, <see cref="FromSqlite"/>), SQL Server, or
/// any <see cref="DbProviderFactory"/>. Rows stream from the reader into typed columns, without an object per row; SQL
/// types map to columns as <see cref="DatabaseSourceOptions"/> states, with NULL as missing by default.
/// </summary>
/// <remarks>
/// <para>Values go into the query as parameters (<see cref="DatabaseSourceOptions.Parameters"/>), never pasted into its text.</para>
/// <para>Cancellation reaches the provider: Npgsql cancels the running query on the server. The command timeout is the
/// provider's (<see cref="DatabaseSourceOptions.CommandTimeout"/>); SQLite applies it only to waiting for locks.</para>
/// <para>The source's <see cref="Name"/>, its logs and its exceptions name the provider, host and database, never the
/// connection string: its password, token or key is replaced by <c>***</c> wherever a provider's message would show it.</para>
/// </remarks>
public sealed partial class DatabaseDataSource : DataSourceBase
{
    private readonly Func<CancellationToken, Task<DbConnection>> _open;
    private readonly ConnectionStrings _connection;
    private readonly bool? _dynamicTyping;

    private DatabaseDataSource(string description, Func<CancellationToken, Task<DbConnection>> open, ConnectionStrings connection, DatabaseSourceOptions options, bool? dynamicTyping)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _open = open;
        _connection = connection;
        _dynamicTyping = dynamicTyping;
        string query = Regex.Replace(options.Query.Trim(), @"\s+", " ");
        Name = $"{description} ({(query.Length > 60 ? query[..57] + "..." : query)})";
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>The options.</summary>
    public DatabaseSourceOptions Options { get; }

    /// <summary>A source over a <see cref="DbDataSource"/>, such as an <c>NpgsqlDataSource</c> (which pools connections); it is not disposed by the source.</summary>
    /// <param name="dataSource">The data source.</param>
    /// <param name="options">The query and options.</param>
    /// <returns>The source.</returns>
    public static DatabaseDataSource FromDataSource(DbDataSource dataSource, DatabaseSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var connection = new ConnectionStrings(ProviderName(dataSource.GetType()), dataSource.ConnectionString);
        return new DatabaseDataSource(connection.Description, async ct => await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false), connection, options, null);
    }

    /// <summary>A source over a provider factory and a connection string (kept only to open connections; never shown).</summary>
    /// <param name="factory">The provider's factory, such as <c>NpgsqlFactory.Instance</c> or <c>SqliteFactory.Instance</c>.</param>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="options">The query and options.</param>
    /// <returns>The source.</returns>
    public static DatabaseDataSource FromFactory(DbProviderFactory factory, string connectionString, DatabaseSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var connection = new ConnectionStrings(ProviderName(factory.GetType()), connectionString);
        return new DatabaseDataSource(connection.Description, async ct =>
        {
            DbConnection c = factory.CreateConnection() ?? throw new InvalidOperationException($"{factory.GetType().Name} created no connection.");
            c.ConnectionString = connectionString;
            await c.OpenAsync(ct).ConfigureAwait(false);
            return c;
        }, connection, options, null);
    }

    /// <summary>A source over a SQLite database file, opened read-only (the embedded default: no server).</summary>
    /// <param name="pathOrConnectionString">A file path, or a full SQLite connection string (anything with an <c>=</c>).</param>
    /// <param name="options">The query and options.</param>
    /// <returns>The source.</returns>
    public static DatabaseDataSource FromSqlite(string pathOrConnectionString, DatabaseSourceOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrConnectionString);
        string connectionString = pathOrConnectionString.Contains('=', StringComparison.Ordinal)
            ? pathOrConnectionString
            : new SqliteConnectionStringBuilder { DataSource = Path.GetFullPath(pathOrConnectionString), Mode = SqliteOpenMode.ReadOnly }.ToString();
        return FromFactory(SqliteFactory.Instance, connectionString, options);
    }

    /// <summary>A source over connections the host opens itself (the source disposes each one after the read).</summary>
    /// <param name="openConnection">Opens a connection.</param>
    /// <param name="name">What to call the source in logs and errors; it must not contain a secret.</param>
    /// <param name="options">The query and options.</param>
    /// <returns>The source.</returns>
    public static DatabaseDataSource FromConnection(Func<CancellationToken, Task<DbConnection>> openConnection, string name, DatabaseSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(openConnection);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new DatabaseDataSource(name, openConnection, new ConnectionStrings(name, string.Empty), options, null);
    }

    /// <summary>Whether <paramref name="query"/> orders its rows: an <c>ORDER BY</c> outside comments and string literals.</summary>
    internal static bool HasOrderBy(string query)
        => OrderBy().IsMatch(CommentsAndLiterals().Replace(query, " "));

    /// <inheritdoc />
    protected override async Task<ExtractedData> ExtractCoreAsync(ExtractionContext context, CancellationToken cancellationToken)
    {
        if (!HasOrderBy(Options.Query))
        {
            Diagnostics.QueryWithoutOrderBy(context.Logger, Name);
        }

        try
        {
            DbConnection connection = await _open(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                if (connection.State != ConnectionState.Open)
                {
                    await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                }

                DbCommand command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.CommandText = Options.Query;
                    if (Options.CommandTimeout is { } timeout)
                    {
                        command.CommandTimeout = (int)Math.Ceiling(timeout.TotalSeconds);
                    }

                    foreach ((string parameterName, object? value) in Options.Parameters)
                    {
                        DbParameter parameter = command.CreateParameter();
                        parameter.ParameterName = parameterName;
                        parameter.Value = value ?? DBNull.Value;
                        command.Parameters.Add(parameter);
                    }

                    DbDataReader reader = await command.ExecuteReaderAsync(CommandBehavior.SingleResult, cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        bool dynamicTyping = _dynamicTyping ?? connection is SqliteConnection;
                        DataTable table = await ReadAsync(reader, dynamicTyping, context.RowsRead, cancellationToken).ConfigureAwait(false);
                        return new ExtractedData(table);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not MlToolkitException and not OperationCanceledException)
        {
            throw Wrap(ex);
        }
    }

    private async Task<DataTable> ReadAsync(DbDataReader reader, bool dynamicTyping, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var policy = new ReadPolicy(Name, Options.Nulls, Options.Infinity, Options.IncludeValuesInErrors, dynamicTyping);
        int count = reader.FieldCount;
        var columns = new DatabaseColumnReader[count];
        var problems = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string name = reader.GetName(i);
            if (!names.Add(name))
            {
                problems.Add($"The query returns two columns named '{name}'; give them distinct aliases.");
                continue;
            }

            ColumnKind? wanted = Options.ColumnTypes.TryGetValue(name, out ColumnKind kind) ? kind : null;
            columns[i] = DatabaseColumnReader.Create(name, reader.GetFieldType(i), reader.GetDataTypeName(i), wanted, policy, out string? problem)!;
            if (problem is not null)
            {
                problems.Add(problem);
            }
        }

        foreach (string missing in Options.ColumnTypes.Keys.Where(k => !names.Contains(k)))
        {
            problems.Add($"ColumnTypes names '{missing}', which the query does not return (it returns: {string.Join(", ", names)}).");
        }

        if (problems.Count > 0)
        {
            throw new DataSchemaException(Name, string.Join(" ", problems));
        }

        long row = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            row++;
            for (int i = 0; i < count; i++)
            {
                columns[i].Read(reader, i, row);
            }

            if ((row & 0xFFFF) == 0)
            {
                progress?.Report(row);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        progress?.Report(row);
        return new DataTable(columns.Select(c => c.Build()));
    }

    /// <summary>A provider's failure as a <see cref="DataSourceException"/> naming the source, with every secret removed.</summary>
    private DataSourceException Wrap(Exception ex)
    {
        string message = ex.Message;
        if (Chain(ex).OfType<TimeoutException>().Any() && Options.CommandTimeout is { } timeout)
        {
            message = string.Create(CultureInfo.InvariantCulture, $"the query ran longer than its CommandTimeout of {timeout.TotalSeconds:0.###} s and the provider stopped it ({ex.Message})");
        }

        // The inner exception is kept for diagnosis only when nothing in it shows a secret.
        bool leaks = Chain(ex).Any(e => _connection.Leaks(e.Message)) || _connection.Leaks(ex.ToString());
        return new DataSourceException(Name, $"Reading {Name} failed: {_connection.Redact(message)}", innerException: leaks ? null : ex);
    }

    private static IEnumerable<Exception> Chain(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    /// <summary>The provider's assembly name (<c>Npgsql</c>, <c>Microsoft.Data.Sqlite</c>): the concrete types are often internal.</summary>
    private static string ProviderName(Type type) => type.Assembly.GetName().Name ?? type.Name;

    [GeneratedRegex(@"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|""(?:[^""]|"""")*""", RegexOptions.Singleline)]
    private static partial Regex CommentsAndLiterals();

    [GeneratedRegex(@"\border\s+by\b", RegexOptions.IgnoreCase)]
    private static partial Regex OrderBy();
}
