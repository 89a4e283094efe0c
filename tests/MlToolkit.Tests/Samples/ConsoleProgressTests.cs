using MlToolkit.Pipeline;
using MlToolkit.Samples;
using Spectre.Console;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Samples;

/// <summary>The samples' progress bars (<c>samples/Shared/ConsoleProgress.cs</c>), on an interactive console writing to a string.</summary>
public class ConsoleProgressTests
{
    /// <summary>What an interactive console wrote, readable while it writes.</summary>
    private sealed class Screen
    {
        private readonly StringWriter _text = new();

        public Screen() => Writer = TextWriter.Synchronized(_text);

        public TextWriter Writer { get; }

        public string Text
        {
            get
            {
                lock (Writer) // the lock TextWriter.Synchronized writes under
                {
                    return _text.ToString();
                }
            }
        }

        public IAnsiConsole Console()
        {
            IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.Yes,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.Yes,
                Out = new AnsiConsoleOutput(Writer),
            });
            console.Profile.Width = 160;
            return console;
        }

        /// <summary>Waits until the live display has drawn <paramref name="text"/> (it redraws on a timer of its own).</summary>
        public async Task ShowsAsync(string text)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromMinutes(1));
            while (!Text.Contains(text, StringComparison.Ordinal))
            {
                await Task.Delay(20, timeout.Token);
            }
        }
    }

    [Fact]
    public async Task RunWithBarsAsync_StageWithSteps_ShowsABarForTheSteps()
    {
        var screen = new Screen();

        // The trials of a search: Spectre.Console refused the steps' bar ("Task name cannot be empty") until it had a name.
        int result = await ConsoleProgress.RunWithBarsAsync(screen.Console(), async progress =>
        {
            progress.Report(new PipelineProgress(PipelineStage.Tuning, 1, 2, false, "Searching 3 configurations"));
            progress.Report(new PipelineProgress(PipelineStage.Tuning, 1, 2, false, "Trial 1 (1/3): LightGbm auc 0.8") { Step = 1, StepCount = 3 });
            await screen.ShowsAsync("Trial 1 (1/3): LightGbm auc 0.8");
            progress.Report(new PipelineProgress(PipelineStage.Tuning, 1, 2, false, "Trial 2 (2/3): FastTree auc 0.7") { Step = 2, StepCount = 3 });
            await screen.ShowsAsync("Trial 2 (2/3): FastTree auc 0.7");
            progress.Report(new PipelineProgress(PipelineStage.Tuning, 1, 2, true, "Searching 3 configurations"));
            return 42;
        });

        Assert.Equal(42, result);
        Assert.Contains("[1/2] Searching 3 configurations", screen.Text, StringComparison.Ordinal);
    }
}
