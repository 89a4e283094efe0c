namespace MlToolkit.Storage;

/// <summary>
/// An <see cref="IArtifactStore"/> on a local folder. Writes go to a temporary file in the target
/// folder and are renamed into place, so readers never see a partial object; a create-only write is a hard
/// link, which fails if the target exists, so of concurrent writers exactly one wins. Keys that would escape
/// the root are refused. Conditional writes (<see cref="IConditionalArtifactStore"/>) hold an exclusive lock file beside the
/// object while they compare and replace it; the tag is a hash of the content.
/// </summary>
/// <remarks>
/// Symbolic links (and junctions) under the root are resolved component by component before every operation: a key
/// whose path leads out of the root through a link is refused with an <see cref="ArtifactKeyException"/> naming the key
/// and the link, for reads, writes, existence checks, deletes and lists alike. Links that stay inside the root are
/// followed (a write or delete of a key that is itself a link replaces or removes the link, not its target). The root
/// itself may be a link, or lie below one (as <c>/tmp</c> does on some systems): it is resolved first, and "inside"
/// means inside its real path. The check cannot stop another process that swaps a folder for a link between the check
/// and the file operation; the root is meant to be writable by its owner only. Hard links cannot be told from files and
/// are not checked.
/// </remarks>
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
    /// <returns>The path inside <see cref="RootPath"/>, as written (links in it not resolved).</returns>
    /// <exception cref="ArtifactKeyException">The key is malformed, or a symbolic link leads it out of the root.</exception>
    public string GetPath(string key)
    {
        string normalized = NormalizeKey(key);
        Locate(normalized, key);
        return LexicalPath(normalized);
    }

    /// <inheritdoc />
    protected override Task<Stream> OpenReadCoreAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string path = Locate(key, key);
        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult(stream);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ArtifactNotFoundException(key, LexicalPath(key));
        }
    }

    /// <inheritdoc />
    protected override async Task WriteCoreAsync(string key, Stream content, ArtifactWriteMode mode, CancellationToken cancellationToken)
    {
        string path = Locate(key, key);
        if (mode == ArtifactWriteMode.CreateNew && File.Exists(path))
        {
            throw new ArtifactExistsException(key, LexicalPath(key));
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
                throw new ArtifactExistsException(key, LexicalPath(key));
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
        => Task.FromResult(File.Exists(Locate(key, key)));

    /// <inheritdoc />
    protected override Task<bool> DeleteCoreAsync(string key, CancellationToken cancellationToken)
    {
        string path = Locate(key, key);
        if (!File.Exists(path) && LinkResolver.LinkTarget(path) is null)
        {
            return Task.FromResult(false);
        }

        File.Delete(path);
        return Task.FromResult(true);
    }

    /// <inheritdoc />
    protected override IAsyncEnumerable<string> ListCoreAsync(string prefix, CancellationToken cancellationToken)
    {
        string realRoot = LinkResolver.Resolve(RootPath);
        int slash = prefix.LastIndexOf('/');
        string folderKey = slash < 0 ? string.Empty : prefix[..slash];
        string start = folderKey.Length == 0 ? realRoot : Locate(folderKey, prefix, resolveLast: true);
        if (!Directory.Exists(start))
        {
            return ToAsync([], cancellationToken);
        }

        var keys = new List<string>();
        var ancestors = new HashSet<string>(LinkResolver.PathComparison == StringComparison.Ordinal ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase) { start };
        Walk(start, folderKey, prefix, realRoot, keys, ancestors, cancellationToken);
        keys.Sort(StringComparer.Ordinal);
        return ToAsync(keys, cancellationToken);
    }

    /// <inheritdoc />
    protected override string GetLocationCore(string key) => LexicalPath(key);

    /// <inheritdoc />
    public async Task<VersionedArtifact?> ReadVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        string path = Locate(NormalizeKey(key), key);
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
        string path = Locate(normalized, key);
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        byte[] bytes = buffer.ToArray();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using FileStream held = await LockAsync(path + LockSuffix, cancellationToken).ConfigureAwait(false);
        string? current = File.Exists(path) ? Tag(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)) : null;
        if (!string.Equals(current, expectedTag, StringComparison.Ordinal))
        {
            throw new ArtifactChangedException(normalized, LexicalPath(normalized), expectedTag);
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

    /// <summary>The path of a normalized key as written under <see cref="RootPath"/>.</summary>
    private string LexicalPath(string normalizedKey) => Path.GetFullPath(Path.Combine(RootPath, normalizedKey));

    /// <summary>
    /// The real path of a normalized key's entry: the root and every folder on the way with their links resolved, each
    /// link checked to stay inside the root. The last component is checked too but, unless <paramref name="resolveLast"/>,
    /// returned as the entry itself (so that a write or delete acts on a link, not on its target).
    /// </summary>
    /// <param name="key">The normalized key.</param>
    /// <param name="shown">The key (or prefix) as the caller gave it, for the error.</param>
    /// <param name="resolveLast">Whether to resolve a link in the last component too (a folder to list).</param>
    /// <exception cref="ArtifactKeyException">A link leads out of the root.</exception>
    private string Locate(string key, string shown, bool resolveLast = false)
    {
        string realRoot = LinkResolver.Resolve(RootPath);
        string current = realRoot;
        string[] segments = key.Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            string next = Path.Join(current, segments[i]);
            bool last = i == segments.Length - 1;
            if (LinkResolver.LinkTarget(next) is null)
            {
                current = next;
                continue;
            }

            string real;
            try
            {
                real = LinkResolver.Resolve(next);
            }
            catch (IOException ex)
            {
                throw new ArtifactKeyException(shown, $"cannot be followed through the symbolic link '{string.Join('/', segments, 0, i + 1)}': {ex.Message}", RootPath);
            }

            if (!LinkResolver.IsInside(real, realRoot))
            {
                throw LeavesRoot(shown, string.Join('/', segments, 0, i + 1), real);
            }

            current = last && !resolveLast ? next : real;
        }

        return current;
    }

    /// <summary>Lists the files under a real folder whose keys start with <paramref name="prefix"/>, checking every link met.</summary>
    private void Walk(string folder, string folderKey, string prefix, string realRoot, List<string> keys, HashSet<string> ancestors, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false, RecurseSubdirectories = false };
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = new DirectoryInfo(folder).EnumerateFileSystemInfos("*", options).ToList();
        }
        catch (DirectoryNotFoundException)
        {
            return; // deleted while listing
        }

        foreach (FileSystemInfo entry in entries)
        {
            // Temporary and lock files are never keys (and a temporary file may vanish while it is looked at).
            if (entry.Name.EndsWith(TempSuffix, StringComparison.Ordinal) || entry.Name.EndsWith(LockSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            string key = folderKey.Length == 0 ? entry.Name : folderKey + "/" + entry.Name;
            bool matches = key.StartsWith(prefix, StringComparison.Ordinal);
            if (!matches && !prefix.StartsWith(key + "/", StringComparison.Ordinal))
            {
                continue; // neither listed nor on the way to the prefix
            }

            string real = entry.FullName;
            bool isFolder = entry is DirectoryInfo;
            if (LinkResolver.LinkTarget(entry.FullName) is not null)
            {
                real = LinkResolver.Resolve(entry.FullName);
                if (!LinkResolver.IsInside(real, realRoot))
                {
                    throw LeavesRoot(key, key, real);
                }

                isFolder = Directory.Exists(real);
                if (!isFolder && !File.Exists(real))
                {
                    continue; // a dangling link holds nothing to read
                }
            }

            if (isFolder)
            {
                // A link back to a folder being listed would list forever; its files are listed under their own keys.
                if (ancestors.Add(real))
                {
                    Walk(real, key, prefix, realRoot, keys, ancestors, cancellationToken);
                    ancestors.Remove(real);
                }
            }
            else if (matches)
            {
                keys.Add(key);
            }
        }
    }

    private ArtifactKeyException LeavesRoot(string key, string linkKey, string target)
        => new(key, $"leads outside the store's root '{RootPath}' through the symbolic link '{linkKey}' (to '{target}'): links that leave the root are refused. Remove the link, or copy what it points at into the store.", RootPath);
}
