using System.Text;
using MlToolkit.Storage;

namespace MlToolkit.Tests.Storage;

public class LocalArtifactStoreConcurrencyTests
{
    [Fact]
    public async Task WriteAsync_EightConcurrentCreateNewWritersPerKey_ExactlyOneWinsAndItsContentIsStored()
    {
        // .NET's File.Move(overwrite: false) checks and then renames on Unix; two writers could both "win". The store
        // publishes create-only writes with link(2), which fails when the target exists.
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        const int Keys = 200;
        const int Writers = 8;
        var winners = new int[Keys];
        var winner = new string?[Keys];
        using var start = new Barrier(Writers);
        var tasks = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (int k = 0; k < Keys; k++)
            {
                start.SignalAndWait(TestContext.Current.CancellationToken);
                string content = $"writer {w}";
                try
                {
                    await store.WriteAsync($"race/{k}.txt", new MemoryStream(Encoding.UTF8.GetBytes(content)), ArtifactWriteMode.CreateNew, TestContext.Current.CancellationToken);
                    Interlocked.Increment(ref winners[k]);
                    winner[k] = content;
                }
                catch (ArtifactExistsException)
                {
                }
            }
        }, TestContext.Current.CancellationToken)).ToArray();

        await Task.WhenAll(tasks);

        Assert.All(winners, count => Assert.Equal(1, count));
        for (int k = 0; k < Keys; k++)
        {
            Assert.Equal(winner[k], await File.ReadAllTextAsync(store.GetPath($"race/{k}.txt"), TestContext.Current.CancellationToken));
        }

        Assert.Empty(Directory.EnumerateFiles(folder.Path, "*.mltk-tmp", SearchOption.AllDirectories));
    }
}
