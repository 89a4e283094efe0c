using Azure.Storage.Blobs;
using DatabaseToRegistry;
using MlToolkit.Azure;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Extraction.Snapshots;
using MlToolkit.Storage;
using MlToolkit.Tests.TestServers;
using Npgsql;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Samples;

/// <summary>The DatabaseToRegistry sample: SQLite to a local folder always, PostgreSQL to Azure Blob against the real servers.</summary>
[Collection(PostgresAndAzuriteCollection.Name)]
public class DatabaseToRegistryTests(PostgresServer postgres, AzuriteServer azurite)
{
    [Fact]
    public async Task RunAsync_SqliteToLocalFolder_PublishesAndPromotesWithASnapshot()
    {
        using TempFolder folder = TestData.TempFolder();

        SampleOutcome outcome = await DatabaseToRegistrySample.RunAsync(new SampleSettings(null, null, "models", folder.Path), cancellationToken: Ct);

        Assert.StartsWith("SQLite ", outcome.Source, StringComparison.Ordinal);
        Assert.Equal(4000, outcome.Result.Rows);
        Assert.InRange(outcome.Result.Metrics[Metric.Auc], 0.8, 1.0);
        var registry = new ModelRegistry(new LocalArtifactStore(folder.Path), "churn-db");
        Assert.Equal(1, (await registry.GetAliasAsync("production", Ct))!.Version);
        ModelManifest manifest = await registry.GetManifestAsync(1, Ct);
        Assert.Equal(outcome.Result.Snapshots, manifest.DataSnapshots);
        Assert.Contains("\"promoted\":\"production\"", DatabaseToRegistrySample.Summary(outcome), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_PostgresToAzureBlob_SameMetricsAsFromSqliteAndTheModelLoadsFromTheContainer()
    {
        string server = postgres.Require();
        azurite.Require();
        string database = "sample_" + Guid.NewGuid().ToString("N")[..10];
        await postgres.ExecuteAsync($"CREATE DATABASE {database}");
        string connectionString = new NpgsqlConnectionStringBuilder(server) { Database = database }.ToString();
        string container = "c" + Guid.NewGuid().ToString("N")[..20];
        using TempFolder folder = TestData.TempFolder();

        SampleOutcome fromPostgres = await DatabaseToRegistrySample.RunAsync(new SampleSettings(connectionString, azurite.ConnectionString, container, folder.Path), cancellationToken: Ct);
        SampleOutcome fromSqlite = await DatabaseToRegistrySample.RunAsync(new SampleSettings(null, null, "models", folder.Path), cancellationToken: Ct);

        Assert.Equal("PostgreSQL", fromPostgres.Source);
        Assert.Equal(fromSqlite.Result.Metrics.Metrics, fromPostgres.Result.Metrics.Metrics); // the same customers, the same seed
        var store = new AzureBlobArtifactStore(new BlobContainerClient(azurite.ConnectionString, container), prefix: "mltoolkit");
        var registry = new ModelRegistry(store, "churn-db");
        LoadedModel loaded = await registry.LoadAsync("production", Ct);
        Assert.Equal(1, loaded.Manifest.Version);
        DataSnapshot snapshot = Assert.Single(loaded.Manifest.DataSnapshots);
        Assert.Equal(4000, (await DataSnapshot.ReadAsync(store, snapshot.Key, Ct)).RowCount);
        Assert.DoesNotContain(AzuriteServer.AccountKey, DatabaseToRegistrySample.Summary(fromPostgres), StringComparison.Ordinal);
    }
}
