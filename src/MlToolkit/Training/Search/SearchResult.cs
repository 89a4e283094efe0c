using System.Globalization;
using MlToolkit.Pipeline;

namespace MlToolkit.Training.Search;

/// <summary>One configuration tried on one round's rows.</summary>
/// <param name="Number">The 1-based trial number, in the order the search drew it.</param>
/// <param name="Trainer">The trainer's name.</param>
/// <param name="Parameters">The configuration, by option name.</param>
/// <param name="Score">The metric on the held-out rows (NaN when undefined).</param>
/// <param name="TrainRows">The rows it trained on.</param>
/// <param name="Round">The round (0 for grid and random searches; successive halving counts up).</param>
/// <param name="Duration">How long it took to train and score.</param>
public sealed record SearchTrial(int Number, string Trainer, IReadOnlyDictionary<string, object> Parameters, double Score, int TrainRows, int Round, TimeSpan Duration)
{
    internal ISearchSpace Space { get; init; } = null!;

    /// <summary>The configuration as text, such as <c>LightGbm(NumberOfLeaves=16, LearningRate=0.05)</c>.</summary>
    public string Description => $"{Trainer}({string.Join(", ", Parameters.Select(p => $"{p.Key}={Hyperparameter.Format(p.Value)}"))})";

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"#{Number} {Description}: {Score:G4} on {TrainRows} rows");
}

/// <summary>The outcome of a hyperparameter search.</summary>
public sealed class SearchResult
{
    internal SearchResult(SearchStrategy strategy, string metric, bool higherIsBetter, IReadOnlyList<SearchTrial> trials, bool cancelled, bool budgetReached, int validationRows, bool stoppedEarly, int plannedTrials)
    {
        StoppedEarly = stoppedEarly;
        PlannedTrials = plannedTrials;
        Strategy = strategy;
        Metric = metric;
        HigherIsBetter = higherIsBetter;
        Trials = trials;
        Cancelled = cancelled;
        BudgetReached = budgetReached;
        ValidationRows = validationRows;
        int lastRound = trials.Count == 0 ? 0 : trials.Max(t => t.Round);
        Best = trials
            .Where(t => t.Round == lastRound && !double.IsNaN(t.Score))
            .OrderBy(t => higherIsBetter ? -t.Score : t.Score)
            .ThenBy(t => t.Number)
            .FirstOrDefault();
    }

    /// <summary>The strategy.</summary>
    public SearchStrategy Strategy { get; }

    /// <summary>The metric trials were judged on.</summary>
    public string Metric { get; }

    /// <summary>Whether a larger score is better.</summary>
    public bool HigherIsBetter { get; }

    /// <summary>Every trial, in the order they were drawn (round by round for successive halving).</summary>
    public IReadOnlyList<SearchTrial> Trials { get; }

    /// <summary>The best trial of the last round reached, ties going to the earlier trial; <see langword="null"/> when no trial gave a score.</summary>
    public SearchTrial? Best { get; }

    /// <summary>Whether <see cref="TrainingPipeline.TuneAsync"/> was cancelled; <see cref="Best"/> is then the best so far. (A cancelled <c>RunAsync</c> throws instead.)</summary>
    public bool Cancelled { get; }

    /// <summary>
    /// Whether the search was told to stop before it had run every trial it planned: by <see cref="PipelineRunOptions.StopSearch"/>
    /// during <c>RunAsync</c> (the run then went on with <see cref="Best"/>, the best trial so far), or by the cancellation of
    /// <see cref="TrainingPipeline.TuneAsync"/> (then <see cref="Cancelled"/> is set too). <see cref="Trials"/> lists the
    /// trials that ran: those started before the signal, each run to its end. A time budget that ends the search sets
    /// <see cref="BudgetReached"/> instead.
    /// </summary>
    public bool StoppedEarly { get; }

    /// <summary>
    /// How many trials the search planned: its configurations, or for successive halving the configurations of every round
    /// (27 + 9 + 3 for 27 with a factor of 3). <see cref="Trials"/> has fewer when the search was stopped
    /// (<see cref="StoppedEarly"/>), reached its time budget, or had too few scored trials to fill a later round.
    /// </summary>
    public int PlannedTrials { get; }

    /// <summary>Whether the time budget stopped the search before it tried everything.</summary>
    public bool BudgetReached { get; }

    /// <summary>The held-out rows trials were judged on.</summary>
    public int ValidationRows { get; }

    /// <summary>The best configuration's trainer, to train on the whole training part.</summary>
    /// <returns>The trainer.</returns>
    /// <exception cref="InvalidOperationException">No trial gave a score.</exception>
    public ITrainer CreateBestTrainer()
        => Best is { } best ? best.Space.CreateTrainer(best.Parameters) : throw new InvalidOperationException("The search has no scored trial, so it has no best configuration.");
}
