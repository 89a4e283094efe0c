namespace MlToolkit.Storage;

/// <summary>
/// An <see cref="IArtifactStore"/> on a local folder. Writes go to a temporary file in the target
/// folder and are renamed into place, so readers never see a partial object; a create-only write is a hard
/// link, which fails if the target exists, so of concurrent writers exactly one wins. Keys that would escape
/// the root are refused.
/// </summary>
public sealed class LocalArtifactStore : ArtifactStoreBase
{
    private const string TempSuffix = ".mltk-tmp";

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
            .Where(p => !p.EndsWith(TempSuffix, StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(RootPath, p).Replace('\\', '/'))
            .Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        return ToAsync(keys, cancellationToken);
    }

    /// <inheritdoc />
    protected override string GetLocationCore(string key) => ResolvePath(key);

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
