using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MlToolkit.Tests.TestServers;

/// <summary>Runs the commands that start and stop test servers.</summary>
internal static class ExternalProcess
{
    /// <summary>Runs a program to its end and returns its exit code and output (standard output and error together).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds} s.");
        }

        return (process.ExitCode, (await output) + (await error));
    }

    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether the tests run in CI, where a missing server is a failure rather than a skip.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips the test with <paramref name="reason"/>, or fails it in CI.</summary>
    public static void SkipOrFail(string reason)
    {
        if (InCi)
        {
            Assert.Fail($"CI=true, so this test needs its server: {reason}");
        }

        RecordSkip(reason);
        Assert.Skip(reason);
    }

    /// <summary>
    /// The file beside the test assembly where each distinct skip reason is written once; after the run, the test project's
    /// build (tests/Directory.Build.targets) prints them at the default verbosity of <c>dotnet test</c>, which shows only
    /// "[SKIP]" otherwise.
    /// </summary>
    public static string SkipReasonsFile => Path.Combine(AppContext.BaseDirectory, "skipped-because.txt");

    private static readonly HashSet<string> Recorded = [];

    private static void RecordSkip(string reason)
    {
        lock (Recorded)
        {
            if (Recorded.Add(reason))
            {
                File.AppendAllText(SkipReasonsFile, reason.ReplaceLineEndings(" ") + Environment.NewLine);
            }
        }
    }
}
