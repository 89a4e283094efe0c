using System.Data.Common;
using MlToolkit.Extraction.Database;
using MlToolkit.Pipeline;

namespace MlToolkit;

/// <summary>Builder verbs that read the data from a database (see <see cref="DatabaseDataSource"/>).</summary>
public static class DatabaseBuilderExtensions
{
    /// <summary>Reads the result of a query through a <see cref="DbDataSource"/>, such as an <c>NpgsqlDataSource</c>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="dataSource">The data source; not disposed by the pipeline.</param>
    /// <param name="query">The query; end it with <c>ORDER BY</c> a key so that the split is the same on every run.</param>
    /// <param name="parameters">The query's parameters by name, such as <c>new Dictionary&lt;string, object?&gt; { ["@since"] = date }</c>, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder FromDatabase(this PipelineBuilder builder, DbDataSource dataSource, string query, IReadOnlyDictionary<string, object?>? parameters = null)
        => builder.FromDatabase(dataSource, Options(query, parameters));

    /// <summary>Reads the result of a query through a <see cref="DbDataSource"/>, with full options.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="dataSource">The data source; not disposed by the pipeline.</param>
    /// <param name="options">The query and options.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder FromDatabase(this PipelineBuilder builder, DbDataSource dataSource, DatabaseSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.From(DatabaseDataSource.FromDataSource(dataSource, options));
    }

    /// <summary>Reads the result of a query from a SQLite file, opened read-only.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The database file, or a SQLite connection string.</param>
    /// <param name="query">The query; end it with <c>ORDER BY</c> a key so that the split is the same on every run.</param>
    /// <param name="parameters">The query's parameters by name, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder FromSqlite(this PipelineBuilder builder, string path, string query, IReadOnlyDictionary<string, object?>? parameters = null)
        => builder.FromSqlite(path, Options(query, parameters));

    /// <summary>Reads the result of a query from a SQLite file, with full options.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The database file, or a SQLite connection string.</param>
    /// <param name="options">The query and options.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder FromSqlite(this PipelineBuilder builder, string path, DatabaseSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.From(DatabaseDataSource.FromSqlite(path, options));
    }

    private static DatabaseSourceOptions Options(string query, IReadOnlyDictionary<string, object?>? parameters)
    {
        var options = new DatabaseSourceOptions { Query = query };
        foreach ((string name, object? value) in parameters ?? new Dictionary<string, object?>())
        {
            options.Parameters[name] = value;
        }

        return options;
    }
}
