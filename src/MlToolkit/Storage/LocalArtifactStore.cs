namespace MlToolkit.Storage;

/// <summary>
/// An <see cref="IArtifactStore"/> on a local folder. Writes go to a temporary file in the target
/// folder and are renamed into place, so readers never see a partial object; a create-only write is a hard
/// link, which fails if the target exists, so of concurrent writers exactly one wins. Keys that would escape
/// the root are refused. Conditional writes (<see cref="IConditionalArtifactStore"/>) hold an exclusive lock file beside the
/// object while they compare and replace it; the tag is a hash of the content.
/// </summary>
public sealed class LocalArtifactStore : ArtifactStoreBase, IConditionalArtifactStore
{
    private const string TempSuffix = ".mltk-tmp";
    private const string LockSuffix = ".mltk-lock";

    /// <summary>Creates a store rooted at <paramref name="rootPath"/>; the folder is created on first write.</summary>
    /// <param name="rootPath">The root folder, absolute or relative to the current directory.</param>
    public LocalArtifactStore(string rootPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootPath);
        RootPath = Path.GetFullPath(rootPath);
    }

    /// <summary>The absolute path of the root folder.</summary>
    public string RootPath { get; }

    /// <summary>The absolute file path of <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The path inside <see cref="RootPath"/>.</returns>
    public string GetPath(string key) => ResolvePath(NormalizeKey(key));

    /// <inheritdoc />
    protected override Task<Stream> OpenReadCoreAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string path = ResolvePath(key);
        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult(stream);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ArtifactNotFoundException(key, path);
        }
    }

    /// <inheritdoc />
    protected override async Task WriteCoreAsync(string key, Stream content, ArtifactWriteMode mode, CancellationToken cancellationToken)
    {
        string path = ResolvePath(key);
        if (mode == ArtifactWriteMode.CreateNew && File.Exists(path))
        {
            throw new ArtifactExistsException(key, path);
        }

        string directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (mode == ArtifactWriteMode.Overwrite)
            {
                File.Move(temp, path, overwrite: true); // rename(2): atomic replace
            }
            else if (!AtomicFile.TryPublishNew(temp, path))
            {
                throw new ArtifactExistsException(key, path);
            }
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <inheritdoc />
    protected override Task<bool> ExistsCoreAsync(string key, CancellationToken cancellationToken)
        => Task.FromResult(File.Exists(ResolvePath(key)));

    /// <inheritdoc />
    protected override Task<bool> DeleteCoreAsync(string key, CancellationToken cancellationToken)
    {
        string path = ResolvePath(key);
        if (!File.Exists(path))
        {
            return Task.FromResult(false);
        }

        File.Delete(path);
        return Task.FromResult(true);
    }

    /// <inheritdoc />
    protected override IAsyncEnumerable<string> ListCoreAsync(string prefix, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(RootPath))
        {
            return ToAsync([], cancellationToken);
        }

        var keys = Directory.EnumerateFiles(RootPath, "*", SearchOption.AllDirectories)
            .Where(p => !p.EndsWith(TempSuffix, StringComparison.Ordinal) && !p.EndsWith(LockSuffix, StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(RootPath, p).Replace('\\', '/'))
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        return ToAsync(keys, cancellationToken);
    }

    /// <inheritdoc />
    protected override string GetLocationCore(string key) => ResolvePath(key);

    /// <inheritdoc />
    public async Task<VersionedArtifact?> ReadVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        string path = ResolvePath(NormalizeKey(key));
        try
        {
            byte[] content = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            return new VersionedArtifact(content, Tag(content));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<string> WriteIfUnchangedAsync(string key, Stream content, string? expectedTag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        string normalized = NormalizeKey(key);
        string path = ResolvePath(normalized);
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        byte[] bytes = buffer.ToArray();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using FileStream held = await LockAsync(path + LockSuffix, cancellationToken).ConfigureAwait(false);
        string? current = File.Exists(path) ? Tag(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)) : null;
        if (!string.Equals(current, expectedTag, StringComparison.Ordinal))
        {
            throw new ArtifactChangedException(normalized, path, expectedTag);
        }

        await WriteCoreAsync(normalized, new MemoryStream(bytes, writable: false), ArtifactWriteMode.Overwrite, cancellationToken).ConfigureAwait(false);
        return Tag(bytes);
    }

    /// <summary>The version tag of some content: the first 16 bytes of its SHA-256, in hex.</summary>
    private static string Tag(byte[] content) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content), 0, 16);

    /// <summary>Opens the lock file exclusively, waiting while another writer holds it. Lock files stay (they are never listed).</summary>
    private static async Task<FileStream> LockAsync(string lockPath, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(5, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private string ResolvePath(string normalizedKey)
    {
        string path = Path.GetFullPath(Path.Combine(RootPath, normalizedKey));
        string root = RootPath.EndsWith(Path.DirectorySeparatorChar) ? RootPath : RootPath + Path.DirectorySeparatorChar;
        if (!path.StartsWith(root, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The artifact key '{normalizedKey}' resolves outside the store's root '{RootPath}'.", "key");
        }

        return path;
    }
}
