using MlToolkit.Pipeline;

namespace MlToolkit.Samples;

/// <summary>
/// Ctrl+C for a sample's pipeline run. Pressed while a hyperparameter search runs, it stops the search and the run goes on
/// with the best trial so far (<see cref="PipelineRunOptions.StopSearch"/>): the winner is trained, evaluated, validated and
/// deployed. Pressed again, or when no search is running, it cancels the run (nothing is deployed) once the current step
/// ends, since ML.NET's <c>Fit</c> cannot be interrupted. Pressed once more, it ends the process at once. Each press
/// prints one line saying what it does. Shared by the samples (linked into each).
/// </summary>
internal sealed class ConsoleCancellation : IDisposable
{
    private readonly CancellationTokenSource _stopSearch = new();
    private readonly CancellationTokenSource _cancel = new();
    private readonly Lock _gate = new();
    private bool _searching;

    /// <summary>Starts handling Ctrl+C (<see cref="Console.CancelKeyPress"/>) until disposed.</summary>
    public ConsoleCancellation() => Console.CancelKeyPress += OnCancelKeyPress;

    /// <summary>Signalled by the first Ctrl+C during the search.</summary>
    public CancellationToken StopSearch => _stopSearch.Token;

    /// <summary>Signalled by a Ctrl+C that cancels the run.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>The run's options: <see cref="PipelineRunOptions.StopSearch"/> is <see cref="StopSearch"/>.</summary>
    public PipelineRunOptions RunOptions => new() { StopSearch = StopSearch };

    /// <summary>Writes a line for people; <see cref="ConsoleProgress"/> points it at its live display, if it shows one.</summary>
    /// <value>The default value writes to standard error.</value>
    public Action<string> Notice { get; set; } = Console.Error.WriteLine;

    /// <summary>Progress that forwards to <paramref name="inner"/> and tells this object when the search starts and ends.</summary>
    /// <param name="inner">Where the reports go.</param>
    /// <returns>The progress to give the run.</returns>
    public IProgress<PipelineProgress> Watch(IProgress<PipelineProgress> inner) => new Watcher(this, inner);

    /// <inheritdoc />
    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _stopSearch.Dispose();
        _cancel.Dispose();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        CancellationTokenSource? signal;
        lock (_gate)
        {
            signal = _searching && !_stopSearch.IsCancellationRequested ? _stopSearch
                : !_cancel.IsCancellationRequested ? _cancel
                : null;
        }

        if (signal is null)
        {
            return; // a third press: the default, which ends the process
        }

        e.Cancel = true; // the run ends by itself, cleanly
        Notice(signal == _stopSearch
            ? "Ctrl+C: stopping the search. Trials already training finish, then the run goes on with the best so far; press Ctrl+C again to cancel the run."
            : "Ctrl+C: cancelling the run when the current step ends; nothing is deployed. Press Ctrl+C again to quit at once.");
        signal.Cancel();
    }

    private sealed class Watcher(ConsoleCancellation owner, IProgress<PipelineProgress> inner) : IProgress<PipelineProgress>
    {
        public void Report(PipelineProgress value)
        {
            if (value.Stage == PipelineStage.Tuning)
            {
                lock (owner._gate)
                {
                    owner._searching = !value.Completed;
                }
            }

            inner.Report(value);
        }
    }
}
