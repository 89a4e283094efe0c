using System.Text;
using MlToolkit.Deployment;
using MlToolkit.Deployment.Registry;
using MlToolkit.Extraction.Csv;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Hostile;

/// <summary>
/// Keys that try to leave a store's root: symbolic links inside a local store's folder that lead out of it (refused for
/// every operation, naming the key; links that stay inside are followed), and keys with <c>..</c> (refused with a typed
/// error when the deployer or source is created, before a pipeline runs).
/// </summary>
public class StorageHostileTests
{
    private static MemoryStream Text(string s) => new(Encoding.UTF8.GetBytes(s));

    /// <summary>A store root and, beside it, an outside folder holding <c>secret.txt</c>.</summary>
    private sealed class Layout : IDisposable
    {
        private readonly TempFolder _folder = TestData.TempFolder();

        public Layout()
        {
            Root = Directory.CreateDirectory(Path.Combine(_folder.Path, "root")).FullName;
            Outside = Directory.CreateDirectory(Path.Combine(_folder.Path, "outside")).FullName;
            File.WriteAllText(Path.Combine(Outside, "secret.txt"), "secret");
            Store = new LocalArtifactStore(Root);
        }

        public string Root { get; }

        public string Outside { get; }

        public string Folder => _folder.Path;

        public LocalArtifactStore Store { get; }

        public string SecretPath => Path.Combine(Outside, "secret.txt");

        public void Dispose() => _folder.Dispose();
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

    private static async Task<string> ReadAsync(IArtifactStore store, string key)
    {
        await using Stream stream = await store.OpenReadAsync(key, Ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(Ct);
    }

    private static void AssertLeavesRoot(ArtifactKeyException ex, string key, string link)
    {
        Assert.Equal(key, ex.Key);
        Assert.Equal(PipelineStage.Storage, ex.Stage);
        Assert.StartsWith($"The artifact key '{key}' leads outside the store's root", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"symbolic link '{link}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenReadAsync_FileLinkLeavingTheRoot_RefusedNamingTheKey()
    {
        using var l = new Layout();
        File.CreateSymbolicLink(Path.Combine(l.Root, "stolen.txt"), l.SecretPath);

        var ex = await Assert.ThrowsAsync<ArtifactKeyException>(() => l.Store.OpenReadAsync("stolen.txt", Ct));

        AssertLeavesRoot(ex, "stolen.txt", "stolen.txt");
        await Assert.ThrowsAsync<ArtifactKeyException>(() => l.Store.ExistsAsync("stolen.txt", Ct));
        await Assert.ThrowsAsync<ArtifactKeyException>(() => l.Store.ReadVersionedAsync("stolen.txt", Ct));
    }

    [Fact]
    public async Task OpenReadAsync_DirectoryLinkLeavingTheRoot_RefusedNamingTheLink()
    {
        using var l = new Layout();
        Directory.CreateSymbolicLink(Path.Combine(l.Root, "models"), l.Outside);

        var ex = await Assert.ThrowsAsync<ArtifactKeyException>(() => l.Store.OpenReadAsync("models/secret.txt", Ct));

        AssertLeavesRoot(ex, "models/secret.txt", "models");
        Assert.Throws<ArtifactKeyException>(() => l.Store.GetPath("models/secret.txt"));
    }

    [Fact]
    public async Task WriteAsync_DirectoryLinkLeavingTheRoot_RefusedAndNothingWrittenOutside()
    {
        using var l = new Layout();
        Directory.CreateSymbolicLink(Path.Combine(l.Root, "models"), l.Outside);

        var overwrite = await Assert.ThrowsAsync<ArtifactKeyException>(() => l.Store.WriteAsync("models/secret.txt", Text("pwned"), cancellationToken: Ct));
        var create = await Assert.ThrowsAsync<ArtifactKeyException>(() => l.Store.WriteAsync("models/deep/new.txt", Text("x"), ArtifactWriteMode.CreateNew, Ct));
        var conditional = await Assert.ThrowsAsync<ArtifactKeyException>(() => l.Store.WriteIfUnchangedAsync("models/alias.json", Text("x"), null, Ct));

        AssertLeavesRoot(overwrite, "models/secret.txt", "models");
        AssertLeavesRoot(create, "models/deep/new.txt", "models");
        AssertLeavesRoot(conditional, "models/alias.json", "models");
        Assert.Equal("secret", await File.ReadAllTextAsync(l.SecretPath, Ct));
        Assert.Equal([l.SecretPath], Directory.GetFileSystemEntries(l.Outside));
    }

    [Fact]
    public async Task DeleteAsync_LinkLeavingTheRoot_RefusedAndTheOutsideFileKept()
    {
        using var l = new Layout();
        Directory.CreateSymbolicLink(Path.Combine(l.Root, "models"), l.Outside);

        var ex = await Assert.ThrowsAsync<ArtifactKeyException>(() => l.Store.DeleteAsync("models/secret.txt", Ct));

        AssertLeavesRoot(ex, "models/secret.txt", "models");
        Assert.True(File.Exists(l.SecretPath));
    }

    [Fact]
    public async Task ListAsync_DirectoryLinkLeavingTheRoot_RefusedNamingTheLink()
    {
        using var l = new Layout();
        await l.Store.WriteAsync("models/a.json", Text("a"), cancellationToken: Ct);
        Directory.CreateSymbolicLink(Path.Combine(l.Root, "models", "out"), l.Outside);

        var all = await Assert.ThrowsAsync<ArtifactKeyException>(() => ListAsync(l.Store));
        var under = await Assert.ThrowsAsync<ArtifactKeyException>(() => ListAsync(l.Store, "models/"));
        var through = await Assert.ThrowsAsync<ArtifactKeyException>(() => ListAsync(l.Store, "models/out/"));

        AssertLeavesRoot(all, "models/out", "models/out");
        AssertLeavesRoot(under, "models/out", "models/out");
        Assert.Equal("models/out/", through.Key);
        Assert.Equal(["models/a.json"], await ListAsync(l.Store, "models/a"));
    }

    [Fact]
    public async Task ListAsync_FileLinkLeavingTheRoot_Refused()
    {
        using var l = new Layout();
        await l.Store.WriteAsync("m/a.json", Text("a"), cancellationToken: Ct);
        File.CreateSymbolicLink(Path.Combine(l.Root, "m", "b.json"), l.SecretPath);

        var ex = await Assert.ThrowsAsync<ArtifactKeyException>(() => ListAsync(l.Store, "m/"));

        AssertLeavesRoot(ex, "m/b.json", "m/b.json");
    }

    [Fact]
    public async Task OpenReadAsync_RelativeLinkClimbingOutOfTheRoot_Refused()
    {
        using var l = new Layout();
        Directory.CreateDirectory(Path.Combine(l.Root, "a"));
        File.CreateSymbolicLink(Path.Combine(l.Root, "a", "up.txt"), "../../outside/secret.txt");

        var ex = await Assert.ThrowsAsync<ArtifactKeyException>(() => l.Store.OpenReadAsync("a/up.txt", Ct));

        AssertLeavesRoot(ex, "a/up.txt", "a/up.txt");
    }

    [Fact]
    public async Task OpenReadAsync_ChainOfLinksEndingOutside_Refused()
    {
        using var l = new Layout();
        Directory.CreateDirectory(Path.Combine(l.Root, "b"));
        File.CreateSymbolicLink(Path.Combine(l.Root, "b", "hop.txt"), l.SecretPath);
        Directory.CreateSymbolicLink(Path.Combine(l.Root, "a"), Path.Combine(l.Root, "b"));

        var ex = await Assert.ThrowsAsync<ArtifactKeyException>(() => l.Store.OpenReadAsync("a/hop.txt", Ct));

        AssertLeavesRoot(ex, "a/hop.txt", "a/hop.txt");
    }

    [Fact]
    public async Task OpenReadAsync_LoopOfLinks_RefusedNamingTheKeyNotARawIOException()
    {
        using var l = new Layout();
        File.CreateSymbolicLink(Path.Combine(l.Root, "a"), Path.Combine(l.Root, "b"));
        File.CreateSymbolicLink(Path.Combine(l.Root, "b"), Path.Combine(l.Root, "a"));

        var ex = await Assert.ThrowsAsync<ArtifactKeyException>(() => l.Store.OpenReadAsync("a", Ct));

        Assert.Equal("a", ex.Key);
        Assert.StartsWith("The artifact key 'a' cannot be followed through the symbolic link 'a': ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operations_LinksThatStayInsideTheRoot_AreFollowed()
    {
        using var l = new Layout();
        await l.Store.WriteAsync("real/model.json", Text("inside"), cancellationToken: Ct);
        Directory.CreateSymbolicLink(Path.Combine(l.Root, "alias"), Path.Combine(l.Root, "real"));
        File.CreateSymbolicLink(Path.Combine(l.Root, "latest.json"), "real/model.json");

        Assert.Equal("inside", await ReadAsync(l.Store, "alias/model.json"));
        Assert.Equal("inside", await ReadAsync(l.Store, "latest.json"));
        await l.Store.WriteAsync("alias/other.json", Text("o"), cancellationToken: Ct);
        Assert.Equal("o", await File.ReadAllTextAsync(Path.Combine(l.Root, "real", "other.json"), Ct));
        Assert.Equal(["alias/model.json", "alias/other.json", "latest.json", "real/model.json", "real/other.json"], await ListAsync(l.Store));
    }

    [Fact]
    public async Task Operations_RootThatIsItselfALink_Work()
    {
        using var l = new Layout();
        string linkedRoot = Path.Combine(l.Folder, "linked-root");
        Directory.CreateSymbolicLink(linkedRoot, l.Root);
        var store = new LocalArtifactStore(linkedRoot);

        await store.WriteAsync("m/a.json", Text("a"), cancellationToken: Ct);
        File.CreateSymbolicLink(Path.Combine(l.Root, "m", "b.json"), Path.Combine(l.Root, "m", "a.json"));

        Assert.Equal("a", await ReadAsync(store, "m/a.json"));
        Assert.Equal("a", await ReadAsync(store, "m/b.json"));
        Assert.Equal(["m/a.json", "m/b.json"], await ListAsync(store));
        Assert.Equal(Path.Combine(linkedRoot, "m", "a.json"), store.GetPath("m/a.json"));
        Assert.True(await store.DeleteAsync("m/a.json", Ct));
    }

    [Fact]
    public async Task ModelRegistry_VersionsFolderLinkedOutOfTheRoot_RefusedNamingTheKey()
    {
        using var l = new Layout();
        Directory.CreateDirectory(Path.Combine(l.Root, "churn"));
        Directory.CreateSymbolicLink(Path.Combine(l.Root, "churn", "versions"), l.Outside);
        var registry = new ModelRegistry(l.Store, "churn");

        var ex = await Assert.ThrowsAsync<ArtifactKeyException>(() => registry.ListVersionsAsync(Ct));

        Assert.Equal("churn/versions/", ex.Key);
    }

    [Theory]
    [InlineData("../x.zip")]
    [InlineData("models/../../x.zip")]
    [InlineData("..\\x.zip")]
    public void SaveModelTo_KeyWithDotDot_TypedErrorAtConstructionSayingWhatIsAllowed(string key)
    {
        using var l = new Layout();

        var deployer = Assert.Throws<ArtifactKeyException>(() => new ModelFileDeployer(l.Store, key));
        var verb = Assert.Throws<ArtifactKeyException>(() => new PipelineBuilder().SaveModelTo(l.Store, key));
        var source = Assert.Throws<ArtifactKeyException>(() => CsvDataSource.FromStore(l.Store, key));

        Assert.Equal(key, deployer.Key);
        Assert.Equal(PipelineStage.Storage, deployer.Stage);
        Assert.Equal($"The artifact key '{key}' has a '..' segment, which would leave the store: keys must stay inside the store. Use a relative key of '/'-separated segments that are not empty, '.' or '..', such as 'models/churn/model.zip'.", deployer.Message);
        Assert.Equal(deployer.Message, verb.Message);
        Assert.Equal(deployer.Message, source.Message);
    }

    [Theory]
    [InlineData("/abs.txt", "is rooted")]
    [InlineData("a//b", "has an empty segment")]
    [InlineData("a/./b", "has a '.' segment")]
    [InlineData("a\tb", "contains a control character")]
    [InlineData("", "is empty")]
    public async Task Keys_Malformed_TypedErrorNamingTheKeyAndTheProblem(string key, string problem)
    {
        using var l = new Layout();

        var write = await Assert.ThrowsAsync<ArtifactKeyException>(() => l.Store.WriteAsync(key, Text("x"), cancellationToken: Ct));
        var read = await Assert.ThrowsAsync<ArtifactKeyException>(() => l.Store.OpenReadAsync(key, Ct));

        Assert.Equal(key, write.Key);
        Assert.StartsWith($"The artifact key '{key}' {problem}", write.Message, StringComparison.Ordinal);
        Assert.Contains("such as 'models/churn/model.zip'", write.Message, StringComparison.Ordinal);
        Assert.Equal(write.Message, read.Message);
        Assert.Empty(Directory.GetFileSystemEntries(l.Root));
    }
}
