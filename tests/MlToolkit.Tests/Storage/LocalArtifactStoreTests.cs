using System.Text;
using MlToolkit.Storage;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Storage;

public class LocalArtifactStoreTests
{
    private static MemoryStream Text(string s) => new(Encoding.UTF8.GetBytes(s));

    private static async Task<string> ReadAsync(IArtifactStore store, string key)
    {
        await using Stream stream = await store.OpenReadAsync(key, Ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(Ct);
    }

    private static async Task<List<string>> ListAsync(IArtifactStore store, string prefix = "")
    {
        var keys = new List<string>();
        await foreach (string key in store.ListAsync(prefix, Ct))
        {
            keys.Add(key);
        }

        return keys;
    }

    /// <summary>Yields <paramref name="good"/> bytes, then fails like a broken network stream.</summary>
    private sealed class FailingStream(int good) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= good)
            {
                throw new IOException("The connection was reset.");
            }

            int n = Math.Min(count, good - _position);
            buffer.AsSpan(offset, n).Fill((byte)'x');
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task WriteAsync_ThenOpenReadAsync_RoundTripsBytes()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(Path.Combine(folder.Path, "root"));
        byte[] bytes = [0, 1, 2, 255, 254, 10, 13];

        await store.WriteAsync("models/churn/model.bin", new MemoryStream(bytes), cancellationToken: Ct);

        await using Stream stream = await store.OpenReadAsync("models/churn/model.bin", Ct);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        Assert.Equal(bytes, copy.ToArray());
        Assert.True(await store.ExistsAsync("models/churn/model.bin", Ct));
        Assert.Equal(Path.Combine(folder.Path, "root", "models", "churn", "model.bin"), store.GetPath("models/churn/model.bin"));
        Assert.Equal(store.GetPath("models/churn/model.bin"), store.GetLocation("models/churn/model.bin"));
    }

    [Fact]
    public async Task WriteAsync_FromCurrentPosition_WritesTheRest()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        MemoryStream content = Text("skip:keep");
        content.Position = 5;

        await store.WriteAsync("a.txt", content, cancellationToken: Ct);

        Assert.Equal("keep", await ReadAsync(store, "a.txt"));
    }

    [Fact]
    public async Task WriteAsync_Overwrite_ReplacesContent()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        await store.WriteAsync("k/v.txt", Text("first, and longer"), cancellationToken: Ct);

        await store.WriteAsync("k/v.txt", Text("second"), ArtifactWriteMode.Overwrite, Ct);

        Assert.Equal("second", await ReadAsync(store, "k/v.txt"));
        Assert.Equal(["k/v.txt"], await ListAsync(store));
    }

    [Fact]
    public async Task WriteAsync_CreateNewOnExistingKey_ThrowsAndKeepsContent()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        await store.WriteAsync("k/v.txt", Text("original"), cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<ArtifactExistsException>(() => store.WriteAsync("k/v.txt", Text("new"), ArtifactWriteMode.CreateNew, Ct));

        Assert.Equal("k/v.txt", ex.Key);
        Assert.Equal(PipelineStage.Storage, ex.Stage);
        Assert.Equal("original", await ReadAsync(store, "k/v.txt"));
        Assert.Equal(["v.txt"], Directory.GetFiles(Path.Combine(folder.Path, "k")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task WriteAsync_CreateNewOnNewKey_Writes()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);

        await store.WriteAsync("fresh.txt", Text("x"), ArtifactWriteMode.CreateNew, Ct);

        Assert.Equal("x", await ReadAsync(store, "fresh.txt"));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/abs")]
    [InlineData("a/../../b")]
    [InlineData("a//b")]
    [InlineData("C:x")]
    [InlineData("")]
    [InlineData("a/")]
    [InlineData("./a")]
    [InlineData("a/./b")]
    [InlineData("..\\x")]
    [InlineData("a\tb")]
    public async Task Keys_EscapingOrMalformed_ThrowArtifactKeyException(string key)
    {
        using TempFolder folder = TestData.TempFolder();
        string root = Path.Combine(folder.Path, "root");
        var store = new LocalArtifactStore(root);

        await Assert.ThrowsAsync<ArtifactKeyException>(() => store.WriteAsync(key, Text("x"), cancellationToken: Ct));
        await Assert.ThrowsAsync<ArtifactKeyException>(() => store.OpenReadAsync(key, Ct));
        await Assert.ThrowsAsync<ArtifactKeyException>(() => store.ExistsAsync(key, Ct));
        await Assert.ThrowsAsync<ArtifactKeyException>(() => store.DeleteAsync(key, Ct));
        Assert.Equal(key, Assert.Throws<ArtifactKeyException>(() => store.GetPath(key)).Key);
        Assert.False(Directory.Exists(root));
        Assert.Empty(Directory.GetFileSystemEntries(folder.Path));
    }

    [Fact]
    public void NormalizeKey_Backslashes_BecomeForwardSlashes()
    {
        Assert.Equal("a/b/c.zip", ArtifactStoreBase.NormalizeKey("a\\b/c.zip"));
        Assert.Throws<ArgumentNullException>(() => ArtifactStoreBase.NormalizeKey(null!));
    }

    [Fact]
    public async Task ListAsync_Prefix_OrdinalOrderWithoutTempFiles()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        foreach (string key in new[] { "b/2", "a/2", "a/10", "A/x", "a/1", "ab", "a/sub/z" })
        {
            await store.WriteAsync(key, Text(key), cancellationToken: Ct);
        }

        // A temporary file of an interrupted write.
        File.WriteAllText(Path.Combine(folder.Path, "a", ".1.0123456789abcdef.mltk-tmp"), "partial");

        Assert.Equal(["A/x", "a/1", "a/10", "a/2", "a/sub/z", "ab", "b/2"], await ListAsync(store));
        Assert.Equal(["a/1", "a/10", "a/2", "a/sub/z"], await ListAsync(store, "a/"));
        Assert.Equal(["a/1", "a/10", "a/2", "a/sub/z", "ab"], await ListAsync(store, "a"));
        Assert.Equal(["a/1", "a/10"], await ListAsync(store, "a/1"));
        Assert.Empty(await ListAsync(store, "zzz"));
    }

    [Fact]
    public async Task ListAsync_RootNotCreatedYet_IsEmpty()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(Path.Combine(folder.Path, "never-written"));

        Assert.Empty(await ListAsync(store));
    }

    [Fact]
    public async Task DeleteAsync_ExistingThenMissing_TrueThenFalse()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        await store.WriteAsync("d/x.txt", Text("x"), cancellationToken: Ct);
        await store.WriteAsync("d/y.txt", Text("y"), cancellationToken: Ct);

        Assert.True(await store.DeleteAsync("d/x.txt", Ct));
        Assert.False(await store.DeleteAsync("d/x.txt", Ct));
        Assert.False(await store.ExistsAsync("d/x.txt", Ct));
        Assert.Equal(["d/y.txt"], await ListAsync(store));
    }

    [Fact]
    public async Task OpenReadAsync_MissingKey_ThrowsArtifactNotFoundException()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);

        var ex = await Assert.ThrowsAsync<ArtifactNotFoundException>(() => store.OpenReadAsync("no/such/key.zip", Ct));

        Assert.Equal("no/such/key.zip", ex.Key);
        Assert.Equal(store.GetPath("no/such/key.zip"), ex.DataSource);
        Assert.Equal(PipelineStage.Storage, ex.Stage);
    }

    [Fact]
    public async Task WriteAsync_ContentThrowsMidway_LeavesPreviousContentAndNoTempFile()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        await store.WriteAsync("m/model.zip", Text("previous"), cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<IOException>(() => store.WriteAsync("m/model.zip", new FailingStream(good: 200_000), cancellationToken: Ct));

        Assert.Equal("The connection was reset.", ex.Message);
        Assert.Equal("previous", await ReadAsync(store, "m/model.zip"));
        Assert.Equal([store.GetPath("m/model.zip")], Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task WriteAsync_ContentThrowsMidwayOnNewKey_LeavesNothing()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);

        await Assert.ThrowsAsync<IOException>(() => store.WriteAsync("new/model.zip", new FailingStream(good: 1000), cancellationToken: Ct));

        Assert.False(await store.ExistsAsync("new/model.zip", Ct));
        Assert.Empty(Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task WriteAsync_CancelledToken_LeavesPreviousContentAndNoTempFile()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        await store.WriteAsync("c.txt", Text("previous"), cancellationToken: Ct);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WriteAsync("c.txt", Text("new"), cancellationToken: cts.Token));

        Assert.Equal("previous", await ReadAsync(store, "c.txt"));
        Assert.Equal([store.GetPath("c.txt")], Directory.GetFiles(folder.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task WriteAsync_UnreadableContent_ThrowsArgumentException()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        var closed = new MemoryStream();
        await closed.DisposeAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync("x", closed, cancellationToken: Ct));
        await Assert.ThrowsAsync<ArgumentNullException>(() => store.WriteAsync("x", null!, cancellationToken: Ct));
    }

    [Fact]
    public void Constructor_RelativeRoot_IsMadeAbsolute()
    {
        var store = new LocalArtifactStore("relative-root");

        Assert.True(Path.IsPathRooted(store.RootPath));
        Assert.Equal(Path.GetFullPath("relative-root"), store.RootPath);
        Assert.Throws<ArgumentException>(() => new LocalArtifactStore(" "));
    }
}
