using System.Runtime.InteropServices;

namespace MlToolkit.Storage;

/// <summary>
/// Publishes a complete temporary file under a new name only if that name is free, atomically. .NET's
/// <c>File.Move(source, target, overwrite: false)</c> is not atomic on Unix (it checks, then renames over whatever
/// appeared meanwhile); <c>link(2)</c> is: it fails with <c>EEXIST</c> when the target exists. On Windows,
/// <c>MoveFileEx</c> without <c>MOVEFILE_REPLACE_EXISTING</c> already is.
/// </summary>
internal static partial class AtomicFile
{
    private const int EEXIST = 17;

    /// <summary>Moves <paramref name="temp"/> to <paramref name="target"/> unless <paramref name="target"/> exists.</summary>
    /// <returns><see langword="false"/> when the target already exists (the temporary file is left for the caller to delete).</returns>
    public static bool TryPublishNew(string temp, string target)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(temp, target, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(target))
            {
                return false;
            }
        }

        if (Link(temp, target) == 0)
        {
            File.Delete(temp);
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == EEXIST)
        {
            return false;
        }

        throw new IOException($"Could not create '{target}' (link failed with errno {errno}).");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existingPath, string newPath);
}
