using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Samples;

/// <summary>
/// A sample's own build run as a process (<c>dotnet &lt;Sample&gt;.dll</c>, so that a signal reaches it and not a
/// <c>dotnet run</c> in between), its standard error and output collected line by line. SIGINT is set to its default
/// (<c>env --default-signal=INT</c>, GNU coreutils 8.31 or later): a shell without job control starts background commands
/// with SIGINT ignored, every process they start inherits that, and .NET then never raises <see cref="Console.CancelKeyPress"/>.
/// </summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _error = [];
    private readonly List<string> _output = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource Seen)> _waiters = [];
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SampleProcess(Process process) => _process = process;

    public string Error { get { lock (_gate) { return string.Join(Environment.NewLine, _error); } } }

    public IReadOnlyList<string> ErrorLines { get { lock (_gate) { return [.. _error]; } } }

    public IReadOnlyList<string> OutputLines { get { lock (_gate) { return [.. _output.Where(l => l.Length > 0)]; } } }

    /// <summary>Starts <c>samples/<paramref name="sample"/></c> in <paramref name="folder"/>.</summary>
    public static SampleProcess Start(string sample, string folder, string[] arguments)
    {
        string configuration = typeof(SampleProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name; // net10.0, as the tests
        string dll = Path.Combine(RepositoryPaths.Root(), "samples", sample, "bin", configuration, framework, sample + ".dll");
        Assert.True(File.Exists(dll), $"{dll} does not exist: build the solution first.");
        var info = new ProcessStartInfo("env") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])["--default-signal=INT", "dotnet", dll, .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        var started = new SampleProcess(process);
        process.ErrorDataReceived += (_, e) => started.OnError(e.Data);
        process.OutputDataReceived += (_, e) => started.OnOutput(e.Data);
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return started;
    }

    /// <summary>Waits for a line on standard error (one already written counts), or fails if the process ends first.</summary>
    public async Task WaitForErrorLineAsync(Func<string, bool> match)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_error.Any(match))
            {
                return;
            }

            _waiters.Add((match, seen));
        }

        Task first = await Task.WhenAny(seen.Task, _errorClosed.Task).WaitAsync(TimeSpan.FromMinutes(3), Ct);
        Assert.True(first == seen.Task, $"The sample ended before the line was written: {Error}");
    }

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does.</summary>
    public async Task InterruptAsync()
    {
        using Process kill = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync(Ct);
        Assert.Equal(0, kill.ExitCode);
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(5), Ct);
        await Task.WhenAll(_errorClosed.Task, _outputClosed.Task).WaitAsync(TimeSpan.FromMinutes(1), Ct);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }

    private void OnError(string? line)
    {
        if (line is null)
        {
            _errorClosed.TrySetResult();
            return;
        }

        List<TaskCompletionSource> seen;
        lock (_gate)
        {
            _error.Add(line);
            seen = [.. _waiters.Where(w => w.Match(line)).Select(w => w.Seen)];
            _waiters.RemoveAll(w => seen.Contains(w.Seen));
        }

        seen.ForEach(s => s.TrySetResult());
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            _outputClosed.TrySetResult();
            return;
        }

        lock (_gate)
        {
            _output.Add(line);
        }
    }
}
