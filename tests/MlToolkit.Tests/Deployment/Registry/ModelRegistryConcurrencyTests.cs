using System.Diagnostics;
using System.Globalization;
using MlToolkit.Deployment.Registry;
using MlToolkit.Storage;
using static MlToolkit.Tests.Deployment.Registry.RegistryTestKit;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Deployment.Registry;

public class ModelRegistryConcurrencyTests(TrainedModelsFixture f) : IClassFixture<TrainedModelsFixture>
{
    private const int Publishers = 8;
    private const int PublishesEach = 50;

    [Fact]
    public async Task PublishAsync_EightConcurrentPublishersOnOneFolder_DistinctGapFreeVersions()
    {
        using TempFolder folder = TestData.TempFolder();

        // Each publisher has its own store and registry object on the same folder, as separate processes would.
        var registries = Enumerable.Range(0, Publishers).Select(_ => new ModelRegistry(new LocalArtifactStore(folder.Path), Name)).ToArray();
        var stopwatch = Stopwatch.StartNew();
        int[][] claimed = await Task.WhenAll(registries.Select(registry => Task.Run(
            async () =>
            {
                var versions = new List<int>(PublishesEach);
                for (int i = 0; i < PublishesEach; i++)
                {
                    versions.Add((await registry.PublishAsync(f.ContextA, Ct)).Version);
                }

                return versions.ToArray();
            },
            Ct)));
        stopwatch.Stop();

        const int total = Publishers * PublishesEach;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{total} publishes by {Publishers} publishers in {stopwatch.Elapsed.TotalSeconds:F2} s: {total / stopwatch.Elapsed.TotalSeconds:F1} publishes/s"));

        // Exactly 1..400, each claimed once; each publisher's own versions increase.
        int[] all = [.. claimed.SelectMany(v => v)];
        Assert.Equal(total, all.Length);

        int stored = (await new ModelRegistry(new LocalArtifactStore(folder.Path), Name).ListVersionsAsync(Ct)).Count;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{all.Distinct().Count()} distinct versions returned; {stored} manifests stored"));

        // A version returned to two publishers means one committed manifest silently replaced the other.
        Assert.Empty(all.GroupBy(v => v).Where(g => g.Count() > 1).Select(g => $"version {g.Key} returned to {g.Count()} publishers"));
        Assert.Equal(Enumerable.Range(1, total), all.Order());
        Assert.All(claimed, versions => Assert.Equal(versions.Order(), versions));

        // Every manifest is complete and loadable; all versions share the one model file.
        var reader = new ModelRegistry(new LocalArtifactStore(folder.Path), Name);
        IReadOnlyList<ModelManifest> manifests = await reader.ListVersionsAsync(Ct);
        Assert.Equal(Enumerable.Range(1, total), manifests.Select(m => m.Version));
        ModelManifest first = manifests[0];
        Assert.All(manifests, m =>
        {
            Assert.Equal(Name, m.Name);
            Assert.Equal(first.Sha256, m.Sha256);
            Assert.Equal(first.Bytes, m.Bytes);
            Assert.Equal(first.ModelKey, m.ModelKey);
        });
        Assert.Single(Directory.GetFiles(Path.Combine(folder.Path, Name, "blobs")));
        Assert.Empty(TempFiles(new LocalArtifactStore(folder.Path)));

        LoadedModel last = await reader.LoadAsync(total, Ct);
        Assert.Equal(total, last.Manifest.Version);
        Assert.Equal(Scores(f.ResultA.Model.Transform(f.TestTable)), Scores(last.Transformer.Transform(f.TestTable)));

        // The next publish continues without a gap.
        Assert.Equal(total + 1, (await reader.PublishAsync(f.ContextA, Ct)).Version);
    }
}
