namespace MlToolkit.Storage;

/// <summary>
/// Resolves symbolic links (and junctions) in a path the way the operating system does, one component at a time, so that
/// a store can tell where a path really leads. The part of a path that does not exist yet is kept as it is (it holds no
/// link); <c>..</c> in a link's target goes up from where the link really is, not from the path as written.
/// </summary>
internal static class LinkResolver
{
    /// <summary>The most links followed in one path, as Linux's <c>MAXSYMLINKS</c>.</summary>
    private const int MaxLinks = 40;

    /// <summary>Whether paths on this system compare ignoring case (Windows, macOS).</summary>
    public static readonly StringComparison PathComparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
        ? StringComparison.OrdinalIgnoreCase
        : StringComparison.Ordinal;

    /// <summary>The path with every link in it resolved.</summary>
    /// <param name="path">An absolute path.</param>
    /// <returns>The real path.</returns>
    /// <exception cref="IOException">The path has more than 40 links in a row (a loop).</exception>
    public static string Resolve(string path)
    {
        string root = Path.GetPathRoot(path) ?? throw new ArgumentException($"'{path}' is not an absolute path.", nameof(path));
        var pending = new Stack<string>();
        Push(pending, path[root.Length..]);
        string current = root;
        int links = 0;
        while (pending.Count > 0)
        {
            string segment = pending.Pop();
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            string next = Path.Join(current, segment);
            string? target = LinkTarget(next);
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"'{path}' has more than {MaxLinks} symbolic links in a row (a loop?).");
            }

            if (Path.IsPathRooted(target))
            {
                string targetRoot = Path.GetPathRoot(target)!;
                current = targetRoot;
                Push(pending, target[targetRoot.Length..]);
            }
            else
            {
                Push(pending, target);
            }
        }

        return current;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or inside it (both real paths).</summary>
    public static bool IsInside(string path, string root)
    {
        string trimmed = Path.TrimEndingDirectorySeparator(root);
        if (path.Equals(trimmed, PathComparison))
        {
            return true;
        }

        string prefix = IsSeparator(trimmed[^1]) ? trimmed : trimmed + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, PathComparison);
    }

    /// <summary>The target of the link at <paramref name="path"/> as it is written, or <see langword="null"/> when it is not a link (or does not exist).</summary>
    public static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not a directory on the way, or no permission to look: not a link we can follow; the operation itself will fail.
            return null;
        }
    }

    private static bool IsSeparator(char c) => c == Path.DirectorySeparatorChar || c == Path.AltDirectorySeparatorChar;

    private static void Push(Stack<string> pending, string relative)
    {
        string[] segments = relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]);
        for (int i = segments.Length - 1; i >= 0; i--)
        {
            pending.Push(segments[i]);
        }
    }
}
