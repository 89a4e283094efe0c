using System.Runtime.CompilerServices;

namespace MlToolkit.Tests;

/// <summary>Where the repository is, for tests that read its files (README, docs, templates, samples).</summary>
internal static class RepositoryPaths
{
    /// <summary>
    /// The folder with MlToolkit.sln above the test binaries; with <c>--artifacts-path</c> outside the repository the
    /// binaries are not under it, so the current directory and then this source file's folder are tried next.
    /// </summary>
    public static string Root([CallerFilePath] string sourceFile = "")
    {
        string[] starts = [AppContext.BaseDirectory, Directory.GetCurrentDirectory(), Path.GetDirectoryName(sourceFile) ?? string.Empty];
        foreach (string start in starts.Where(s => s.Length > 0))
        {
            for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "MlToolkit.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException($"No MlToolkit.sln above any of: {string.Join(", ", starts)}.");
    }
}
