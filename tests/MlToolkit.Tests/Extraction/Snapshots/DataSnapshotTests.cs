using MlToolkit.Data;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Snapshots;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Tests.Extraction.Database;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Extraction.Snapshots;

public class DataSnapshotTests
{
    private const string Query = "SELECT tenure, charge, plan, autopay, churned FROM customers ORDER BY id";

    private static PipelineBuilder Pipeline(PipelineBuilder builder) => builder
        .Label("churned")
        .Train(Trainers.Binary.LightGbm(numberOfIterations: 25))
        .Validate(v => v.AtLeast(Metric.Auc, 0.5));

    [Fact]
    public async Task RunAsync_SnapshotTo_KeepsTheDataAndARerunFromItTrainsTheSameModelAfterTheDatabaseChanged()
    {
        using SqliteTestDatabase db = SqliteTestDatabase.Churn(1_200);
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        var registry = new ModelRegistry(store, "churn");

        PipelineResult first = await Pipeline(new PipelineBuilder(9).FromSqlite(db.Path, Query).SnapshotTo(store)).PublishTo(registry).Build().RunAsync(cancellationToken: Ct);
        db.Execute("DELETE FROM customers WHERE id % 3 = 0; UPDATE customers SET charge = charge * 2;");
        ModelManifest manifest = await registry.GetManifestAsync(1, Ct);
        DataSnapshot snapshot = Assert.Single(manifest.DataSnapshots);
        PipelineResult again = await Pipeline(new PipelineBuilder(9).FromSnapshot(store, snapshot.Key)).PublishTo(registry).Build().RunAsync(cancellationToken: Ct);
        PipelineResult changed = await Pipeline(new PipelineBuilder(9).FromSqlite(db.Path, Query)).Build().RunAsync(cancellationToken: Ct);

        Assert.Equal(Assert.Single(first.Snapshots), snapshot);
        Assert.Equal($"snapshots/{snapshot.Sha256}.json.gz", snapshot.Key);
        Assert.Equal(1_200, snapshot.Rows);
        Assert.Equal(5, snapshot.Columns);
        Assert.Equal(first.Metrics.Metrics, again.Metrics.Metrics);
        Assert.Equal(manifest.Sha256, (await registry.GetManifestAsync(2, Ct)).Sha256); // byte for byte the same model
        Assert.Equal(manifest.DataFingerprint, (await registry.GetManifestAsync(2, Ct)).DataFingerprint);
        Assert.NotEqual(first.Rows, changed.Rows); // the database itself no longer gives that data
    }

    [Fact]
    public async Task SaveAsync_SameDataTwice_StoresOneObject()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        DataTable table = new([new NumberColumn("x", [1, 2, float.NaN]), new TextColumn("t", ["a", null, ""])]);

        DataSnapshot a = await DataSnapshot.SaveAsync(store, "snaps", table, "one", cancellationToken: Ct);
        DataSnapshot b = await DataSnapshot.SaveAsync(store, "snaps", table.Subset([0, 1, 2]), "one", cancellationToken: Ct);
        DataSnapshot c = await DataSnapshot.SaveAsync(store, "snaps", table.Subset([0, 1]), "one", cancellationToken: Ct);

        Assert.Equal(a.Key, b.Key);
        Assert.NotEqual(a.Key, c.Key);
        Assert.Equal(2, Directory.GetFiles(Path.Combine(folder.Path, "snaps")).Length);
    }

    [Fact]
    public async Task ReadAsync_RoundTrip_KeepsEveryValueBitForBitAndTellsNullFromEmpty()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        float[] numbers = [0.1f, -3.4e38f, 1.17549435e-38f, float.NaN, float.PositiveInfinity, 123456.789f, -0f];
        DataTable table = new(
        [
            new NumberColumn("n", numbers),
            new BooleanColumn("b", [true, false, true, false, true, false, true]),
            new TextColumn("t", ["é", null, "", "a\"b", "line\nbreak", "  ", "x"]),
            new VectorColumn("v", 2, [1, 2, 3, 4, 5, 6, 7, float.NaN, 9, 10, 11, 12, 13, 14]),
        ]);

        DataSnapshot snapshot = await DataSnapshot.SaveAsync(store, "s", table.Subset([6, 5, 4, 3, 2, 1, 0]), "src", cancellationToken: Ct);
        DataTable read = await DataSnapshot.ReadAsync(store, snapshot.Key, Ct);

        Assert.Equal(DataFingerprint.Compute(table.Subset([6, 5, 4, 3, 2, 1, 0])), DataFingerprint.Compute(read));
        Assert.Equal(numbers.Reverse().Select(BitConverter.SingleToInt32Bits), ((NumberColumn)read.FindColumn("n")!).Values.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(["x", "  ", "line\nbreak", "a\"b", "", null, "é"], ((TextColumn)read.FindColumn("t")!).Values.AsEnumerable());
        Assert.Equal([13f, 14f], ((VectorColumn)read.FindColumn("v")!).Values[..2]);
    }

    [Fact]
    public async Task ReadAsync_AlteredSnapshot_IsRefused()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        DataSnapshot snapshot = await DataSnapshot.SaveAsync(store, "s", new DataTable([new NumberColumn("x", [1, 2])]), "src", cancellationToken: Ct);
        DataSnapshot other = await DataSnapshot.SaveAsync(store, "s", new DataTable([new NumberColumn("x", [1, 3])]), "src", cancellationToken: Ct);
        File.Copy(store.GetPath(other.Key), store.GetPath(snapshot.Key), overwrite: true);

        var ex = await Assert.ThrowsAsync<DataSourceException>(() => new SnapshotDataSource(store, snapshot.Key).ExtractAsync(ExtractionContext.Standalone(), Ct));

        Assert.Contains("was altered", ex.Message, StringComparison.Ordinal);
        Assert.Contains(other.Sha256, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_IgnoredColumnTheSourceLeavesOut_TheSamePipelineRunsFromTheSnapshot()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        var random = new Random(2);
        Row[] rows = [.. Enumerable.Range(0, 300).Select(i => new Row { X = (float)random.NextDouble(), When = new DateTime(2024, 1, 1).AddDays(i), Label = i % 3 == 0 })];

        PipelineResult first = await new PipelineBuilder(4).FromEnumerable(rows).Ignore("When").SnapshotTo(store).Label("Label").Train(Trainers.Binary.LightGbm(numberOfIterations: 10)).Build().RunAsync(cancellationToken: Ct);
        PipelineResult again = await new PipelineBuilder(4).FromSnapshot(store, first.Snapshots[0].Key).Ignore("When").Label("Label").Train(Trainers.Binary.LightGbm(numberOfIterations: 10)).Build().RunAsync(cancellationToken: Ct);

        Assert.Equal(first.Metrics.Metrics, again.Metrics.Metrics);
    }

    public sealed class Row
    {
        public float X { get; set; }

        public DateTime When { get; set; }

        public bool Label { get; set; }
    }
}
