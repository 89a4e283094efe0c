using System.Globalization;
using MlToolkit.Pipeline;
using Spectre.Console;

namespace MlToolkit.Samples;

/// <summary>
/// Shows a pipeline's progress on standard error, so that standard output stays clean for results: live bars (the run,
/// and the folds or trials of the current stage) when standard error is a terminal, and one plain line per stage and step
/// when it is redirected to a file or a pipe, so that logs stay readable. Shared by the samples (linked into each).
/// </summary>
internal static class ConsoleProgress
{
    /// <summary>Runs <paramref name="work"/> while showing the progress it reports.</summary>
    /// <typeparam name="T">What the work returns.</typeparam>
    /// <param name="work">The work, given the progress to report to.</param>
    /// <param name="forcePlain">Plain lines even on a terminal.</param>
    /// <param name="ctrlC">
    /// The run's Ctrl+C handling, or <see langword="null"/>: it learns from the progress when the search runs, and its
    /// notices are shown above the bars.
    /// </param>
    /// <returns>What the work returned.</returns>
    public static async Task<T> RunAsync<T>(Func<IProgress<PipelineProgress>, Task<T>> work, bool forcePlain = false, ConsoleCancellation? ctrlC = null)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (forcePlain || Console.IsErrorRedirected || !console.Profile.Capabilities.Interactive)
        {
            var lines = new LineProgress();
            return await work(ctrlC?.Watch(lines) ?? lines).ConfigureAwait(false);
        }

        return await RunWithBarsAsync(console, work, ctrlC).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/> while showing its progress as live bars on <paramref name="console"/>.</summary>
    /// <typeparam name="T">What the work returns.</typeparam>
    /// <param name="console">An interactive console.</param>
    /// <param name="work">The work, given the progress to report to.</param>
    /// <param name="ctrlC">The run's Ctrl+C handling, or <see langword="null"/>.</param>
    /// <returns>What the work returned.</returns>
    internal static async Task<T> RunWithBarsAsync<T>(IAnsiConsole console, Func<IProgress<PipelineProgress>, Task<T>> work, ConsoleCancellation? ctrlC = null)
    {
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var bars = new Bars(context);
                Action<string>? notice = ctrlC?.Notice;
                if (ctrlC is not null)
                {
                    ctrlC.Notice = line => console.WriteLine(line); // written above the live bars, under the console's lock
                }

                try
                {
                    T result = await work(ctrlC?.Watch(bars) ?? bars).ConfigureAwait(false);
                    bars.Finish();
                    return result;
                }
                finally
                {
                    if (ctrlC is not null)
                    {
                        ctrlC.Notice = notice!;
                    }
                }
            }).ConfigureAwait(false);
    }

    /// <summary>Plain lines: each stage when it starts, each step (fold, trial) when it ends.</summary>
    private sealed class LineProgress : IProgress<PipelineProgress>
    {
        private readonly Lock _gate = new();

        public void Report(PipelineProgress value)
        {
            if (value.Completed)
            {
                return;
            }

            lock (_gate)
            {
                string indent = value.StepCount > 0 ? "  " : string.Empty; // the steps' messages say which of how many they are
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{value.StageNumber}/{value.StageCount}] {indent}{value.Message}"));
            }
        }
    }

    /// <summary>One bar for the run, one for the steps of the current stage (shown only while a stage has steps).</summary>
    private sealed class Bars(ProgressContext context) : IProgress<PipelineProgress>
    {
        private readonly Lock _gate = new();
        private readonly ProgressTask _run = context.AddTask("Pipeline", maxValue: 1);
        private ProgressTask? _steps;
        private PipelineStage? _stepsStage;

        public void Report(PipelineProgress value)
        {
            lock (_gate)
            {
                _run.Value = value.Fraction;
                if (!value.Completed && value.StepCount == 0)
                {
                    _run.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"[{value.StageNumber}/{value.StageCount}] {value.Message}"));
                }

                if (value.StepCount > 0 && !value.Completed)
                {
                    if (_steps is null || _stepsStage != value.Stage)
                    {
                        _steps?.StopTask();
                        // Spectre.Console refuses a task without a description ("Task name cannot be empty").
                        _steps = context.AddTask(Markup.Escape("  " + value.Message), maxValue: value.StepCount);
                        _stepsStage = value.Stage;
                    }

                    _steps.MaxValue = value.StepCount;
                    _steps.Value = value.Step;
                    _steps.Description = Markup.Escape("  " + value.Message);
                }
                else if (value.Completed && _stepsStage == value.Stage && _steps is not null)
                {
                    _steps.Value = _steps.MaxValue;
                    _steps.StopTask();
                    _steps = null;
                    _stepsStage = null;
                }
            }
        }

        public void Finish()
        {
            lock (_gate)
            {
                _run.Value = 1;
                _run.Description = "Pipeline: done";
                _steps?.StopTask();
            }
        }
    }
}
