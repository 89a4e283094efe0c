using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using MlToolkit;
using MlToolkit.Azure;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using Npgsql;
using QuickStart;

namespace DatabaseToRegistry;

/// <summary>Where the sample reads and publishes, from the command line or the environment.</summary>
/// <param name="Postgres">A PostgreSQL connection string, or <see langword="null"/> for a SQLite file in <paramref name="Artifacts"/>.</param>
/// <param name="Azure">An Azure Storage connection string, or <see langword="null"/> for a local folder (<paramref name="Artifacts"/>).</param>
/// <param name="Container">The blob container, when publishing to Azure.</param>
/// <param name="Artifacts">The local folder for the SQLite file and the local registry.</param>
/// <param name="Rows">How many customers the table holds when the sample creates it.</param>
public sealed record SampleSettings(string? Postgres, string? Azure, string Container, string Artifacts, int Rows = 4000)
{
    /// <summary>Reads <c>--postgres</c>, <c>--azure</c>, <c>--container</c> and <c>--artifacts</c>, falling back to <c>MLTOOLKIT_SAMPLE_POSTGRES</c> and <c>MLTOOLKIT_SAMPLE_AZURE</c>.</summary>
    public static SampleSettings From(string[] args)
    {
        string? Arg(string name)
        {
            int i = Array.IndexOf(args, "--" + name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }

        return new SampleSettings(
            Arg("postgres") ?? Environment.GetEnvironmentVariable("MLTOOLKIT_SAMPLE_POSTGRES"),
            Arg("azure") ?? Environment.GetEnvironmentVariable("MLTOOLKIT_SAMPLE_AZURE"),
            Arg("container") ?? "models",
            Path.GetFullPath(Arg("artifacts") ?? "artifacts"));
    }
}

/// <summary>What the sample did.</summary>
public sealed record SampleOutcome(string Source, string Store, PipelineResult Result);

/// <summary>
/// Trains the churn model from a database (PostgreSQL, or a SQLite file when no server is given) and publishes it to a
/// registry in Azure Blob Storage (or a local folder), keeping a snapshot of the data beside it.
/// </summary>
public static class DatabaseToRegistrySample
{
    private const string Query = """
        SELECT tenure, monthly_charges, plan, region, support_calls, has_partner, churned
        FROM customers
        WHERE tenure >= @min_tenure
        ORDER BY customer_id
        """;

    public static async Task<SampleOutcome> RunAsync(SampleSettings settings, IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        IArtifactStore store = settings.Azure is { } azure
            ? AzureBlobArtifactStore.FromConnectionString(azure, settings.Container, prefix: "mltoolkit")
            : new LocalArtifactStore(settings.Artifacts);
        var registry = new ModelRegistry(store, "churn-db");
        var parameters = new Dictionary<string, object?> { ["min_tenure"] = 1 };

        PipelineBuilder builder = new PipelineBuilder(seed: 42);
        string source;
        NpgsqlDataSource? postgres = null;
        try
        {
            if (settings.Postgres is { } connectionString)
            {
                postgres = NpgsqlDataSource.Create(connectionString);
                await FillPostgresAsync(postgres, settings.Rows, cancellationToken).ConfigureAwait(false);
                builder.FromDatabase(postgres, Query, parameters);
                source = "PostgreSQL";
            }
            else
            {
                string path = Path.Combine(settings.Artifacts, "customers.db");
                FillSqlite(path, settings.Rows);
                builder.FromSqlite(path, Query, parameters);
                source = "SQLite " + path;
            }

            PipelineResult result = await builder
                .Label("churned")
                .Prepare(p => p.ImputeMissing().OneHotEncode("plan", "region"))
                .Split(test: 0.2, validation: 0.1)
                .Train(Trainers.Binary.LightGbm(numberOfIterations: 60, numberOfLeaves: 4))
                .Validate(v => v.AtLeast(Metric.Auc, 0.70))
                .SnapshotTo(store)
                .PublishTo(registry, promoteTo: "production")
                .Build()
                .RunAsync(progress, cancellationToken)
                .ConfigureAwait(false);
            return new SampleOutcome(source, store.GetLocation("churn-db"), result);
        }
        finally
        {
            if (postgres is not null)
            {
                await postgres.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Creates and fills the customers table, unless it already has rows (COPY: fast, and values never pass through SQL text).</summary>
    private static async Task FillPostgresAsync(NpgsqlDataSource postgres, int rows, CancellationToken cancellationToken)
    {
        await using (NpgsqlCommand create = postgres.CreateCommand("""
            CREATE TABLE IF NOT EXISTS customers(customer_id text PRIMARY KEY, tenure int NOT NULL, monthly_charges double precision,
              plan text NOT NULL, region text, support_calls int NOT NULL, has_partner boolean NOT NULL, churned text NOT NULL)
            """))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (NpgsqlCommand count = postgres.CreateCommand("SELECT count(*) FROM customers"))
        {
            if ((long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! > 0)
            {
                return;
            }
        }

        await using NpgsqlConnection connection = await postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlBinaryImporter copy = await connection.BeginBinaryImportAsync(
            "COPY customers (customer_id, tenure, monthly_charges, plan, region, support_calls, has_partner, churned) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        foreach (Customer c in ChurnData.Generate(rows))
        {
            await copy.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(c.CustomerId, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(c.Tenure, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(copy, c.MonthlyCharges, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(c.Plan, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(copy, c.Region, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(c.SupportCalls, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(c.HasPartner, cancellationToken).ConfigureAwait(false);
            await copy.WriteAsync(c.Churned ? "yes" : "no", cancellationToken).ConfigureAwait(false);
        }

        await copy.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, CancellationToken cancellationToken)
        => value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, cancellationToken);

    /// <summary>Creates the SQLite file with the customers table, unless it exists.</summary>
    private static void FillSqlite(string path, int rows)
    {
        if (File.Exists(path))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using DbTransaction transaction = connection.BeginTransaction();
        using SqliteCommand create = connection.CreateCommand();
        create.CommandText = """
            CREATE TABLE customers(customer_id TEXT PRIMARY KEY, tenure INTEGER NOT NULL, monthly_charges REAL, plan TEXT NOT NULL,
              region TEXT, support_calls INTEGER NOT NULL, has_partner BOOLEAN NOT NULL, churned TEXT NOT NULL)
            """;
        create.ExecuteNonQuery();
        using SqliteCommand insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO customers VALUES (@id, @tenure, @charges, @plan, @region, @calls, @partner, @churned)";
        foreach (string name in (string[])["@id", "@tenure", "@charges", "@plan", "@region", "@calls", "@partner", "@churned"])
        {
            insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        foreach (Customer c in ChurnData.Generate(rows))
        {
            object?[] values = [c.CustomerId, c.Tenure, c.MonthlyCharges, c.Plan, c.Region, c.SupportCalls, c.HasPartner ? 1 : 0, c.Churned ? "yes" : "no"];
            for (int i = 0; i < values.Length; i++)
            {
                insert.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>One JSON line for the console.</summary>
    public static string Summary(SampleOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        PipelineResult r = outcome.Result;
        DeploymentResultSummary? d = r.Deployments.Count > 0 ? new(r.Deployments[0].Location, r.Deployments[0].Version, r.Deployments[0].PromotedTo) : null;
        return string.Create(CultureInfo.InvariantCulture, $$"""{"source":"{{Escape(outcome.Source)}}","store":"{{Escape(outcome.Store)}}","rows":{{r.Rows}},"auc":{{r.Metrics[Metric.Auc]:F6}},"version":{{d?.Version?.ToString(CultureInfo.InvariantCulture) ?? "null"}},"promoted":{{(d?.PromotedTo is null ? "null" : $"\"{d.PromotedTo}\"")}},"model":"{{Escape(d?.Location ?? string.Empty)}}","snapshot":"{{Escape(r.Snapshots.Count > 0 ? r.Snapshots[0].Key : string.Empty)}}"}""");
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private sealed record DeploymentResultSummary(string Location, int? Version, string? PromotedTo);
}
