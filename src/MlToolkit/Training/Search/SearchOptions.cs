namespace MlToolkit.Training.Search;

/// <summary>How a search draws its configurations.</summary>
public enum SearchStrategy
{
    /// <summary>Every combination of <see cref="SearchOptions.GridPoints"/> values per dimension (up to <see cref="SearchOptions.MaxTrials"/>, in a seeded order).</summary>
    Grid,

    /// <summary><see cref="SearchOptions.MaxTrials"/> configurations drawn at random (log dimensions on their log scale).</summary>
    Random,

    /// <summary>
    /// Successive halving: <see cref="SearchOptions.MaxTrials"/> random configurations trained on a small share of the rows,
    /// the best 1/<see cref="SearchOptions.HalvingFactor"/> kept and trained on <see cref="SearchOptions.HalvingFactor"/>
    /// times more rows, and so on until the survivors train on all of them (scikit-learn's <c>HalvingRandomSearchCV</c>).
    /// </summary>
    SuccessiveHalving,
}

/// <summary>Options of a hyperparameter search. Validated when added to the builder.</summary>
/// <remarks>
/// Trials are judged on held-out rows: the pipeline's validation part when it has one, otherwise
/// <see cref="ValidationFraction"/> of the training part (split the same way as the pipeline: stratified for classification).
/// The preparation is fitted once on the rows the trials train on. Each trial has its own <c>MLContext</c> seeded from the
/// pipeline's seed and the trial's number, so the same seed gives the same trials, scores and winner with any
/// <see cref="MaxDegreeOfParallelism"/>. The winner is then trained again on the whole training part.
/// </remarks>
public sealed class SearchOptions
{
    /// <summary>The strategy.</summary>
    /// <value>The default value is <see cref="SearchStrategy.Random"/>.</value>
    public SearchStrategy Strategy { get; set; } = SearchStrategy.Random;

    /// <summary>The most configurations tried (for successive halving: the configurations in its first round).</summary>
    /// <value>The default value is 20.</value>
    public int MaxTrials { get; set; } = 20;

    /// <summary>For <see cref="SearchStrategy.Grid"/>: values per dimension.</summary>
    /// <value>The default value is 3.</value>
    public int GridPoints { get; set; } = 3;

    /// <summary>For <see cref="SearchStrategy.SuccessiveHalving"/>: how much fewer configurations, and how many more rows, each round has.</summary>
    /// <value>The default value is 3.</value>
    public int HalvingFactor { get; set; } = 3;

    /// <summary>The metric trials are judged on, or <see langword="null"/> for the task's default (AUC, macro F1, R²); lower is better for log-loss, RMSE and MAE.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Metric { get; set; }

    /// <summary>The share of the training part held out to judge trials when the pipeline has no validation part.</summary>
    /// <value>The default value is 0.2.</value>
    public double ValidationFraction { get; set; } = 0.2;

    /// <summary>How many trials are trained at once. Raise it for single-threaded trainers (SDCA, L-BFGS); LightGBM and FastTree already use every core.</summary>
    /// <value>The default value is 1.</value>
    public int MaxDegreeOfParallelism { get; set; } = 1;

    /// <summary>How long the search may run before it starts no more trials (the running ones finish), or <see langword="null"/> for no limit.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TimeSpan? TimeBudget { get; set; }

    /// <summary>Checks the options and returns one sentence per problem.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxTrials < 1)
        {
            problems.Add($"Search: MaxTrials is {MaxTrials}; it must be at least 1.");
        }

        if (GridPoints < 1)
        {
            problems.Add($"Search: GridPoints is {GridPoints}; it must be at least 1.");
        }

        if (HalvingFactor < 2)
        {
            problems.Add($"Search: HalvingFactor is {HalvingFactor}; it must be at least 2.");
        }

        if (double.IsNaN(ValidationFraction) || ValidationFraction <= 0 || ValidationFraction >= 1)
        {
            problems.Add($"Search: ValidationFraction is {ValidationFraction}; it must be in (0, 1), for example 0.2.");
        }

        if (MaxDegreeOfParallelism < 1)
        {
            problems.Add($"Search: MaxDegreeOfParallelism is {MaxDegreeOfParallelism}; it must be at least 1.");
        }

        if (TimeBudget is { } budget && budget <= TimeSpan.Zero)
        {
            problems.Add($"Search: TimeBudget is {budget}; it must be positive, or null for no limit.");
        }

        if (Metric is not null && string.IsNullOrWhiteSpace(Metric))
        {
            problems.Add("Search: Metric is blank; name a metric such as Metric.Auc, or leave it null for the task's default.");
        }

        return problems;
    }

    internal SearchOptions Clone() => (SearchOptions)MemberwiseClone();
}

/// <summary>Shortcuts for common searches.</summary>
public static class Search
{
    /// <summary>A random search.</summary>
    /// <param name="trials">How many configurations.</param>
    /// <returns>The options.</returns>
    public static SearchOptions Random(int trials = 20) => new() { Strategy = SearchStrategy.Random, MaxTrials = trials };

    /// <summary>A grid search.</summary>
    /// <param name="points">Values per dimension.</param>
    /// <param name="maxTrials">The most combinations tried.</param>
    /// <returns>The options.</returns>
    public static SearchOptions Grid(int points = 3, int maxTrials = 100) => new() { Strategy = SearchStrategy.Grid, GridPoints = points, MaxTrials = maxTrials };

    /// <summary>Successive halving over random configurations.</summary>
    /// <param name="trials">How many configurations start.</param>
    /// <param name="factor">How much fewer survive each round.</param>
    /// <returns>The options.</returns>
    public static SearchOptions SuccessiveHalving(int trials = 27, int factor = 3) => new() { Strategy = SearchStrategy.SuccessiveHalving, MaxTrials = trials, HalvingFactor = factor };
}
