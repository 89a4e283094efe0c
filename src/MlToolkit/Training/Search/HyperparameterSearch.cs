using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Internal;
using MlToolkit.Pipeline;
using MlToolkit.Preparation.Split;
using MlToolkit.Validation;

namespace MlToolkit.Training.Search;

/// <summary>The spaces and options a pipeline searches, fixed at <c>Build()</c>.</summary>
/// <param name="Spaces">The search spaces (one per trainer tried).</param>
/// <param name="Options">The options.</param>
internal sealed record SearchPlan(IReadOnlyList<ISearchSpace> Spaces, SearchOptions Options);

/// <summary>
/// Runs a hyperparameter search for a pipeline: holds out rows to judge trials on, fits the preparation once, then trains
/// each configuration (in parallel when asked, each on its own thread and <see cref="MLContext"/>) and scores it.
/// </summary>
internal sealed class HyperparameterSearch
{
    private readonly PipelineDefinition _d;
    private readonly SearchPlan _plan;
    private readonly ILogger _logger;
    private readonly Action<int, int, string>? _progress;

    public HyperparameterSearch(PipelineDefinition definition, SearchPlan plan, ILogger logger, Action<int, int, string>? progress)
    {
        _d = definition;
        _plan = plan;
        _logger = logger;
        _progress = progress;
    }

    private SearchOptions Options => _plan.Options;

    /// <summary>Searches on <paramref name="trainRows"/> (raw), judged on <paramref name="validationRows"/> when it has rows.</summary>
    /// <remarks>
    /// Once <paramref name="stop"/> or <paramref name="cancellationToken"/> is signalled, no trial starts; the trials already
    /// started run to their end and count (a fit cannot be interrupted), so the trials kept are exactly those started before
    /// the signal, and with one trial at a time they are the first ones drawn. The caller decides what a cancellation means
    /// (<c>RunAsync</c> throws, <c>TuneAsync</c> keeps the best so far); a cancellation while the preparation is fitted throws.
    /// </remarks>
    /// <param name="trainRows">The rows trials train on, raw.</param>
    /// <param name="validationRows">The rows trials are judged on, or <see langword="null"/> (or empty) to hold out a share of <paramref name="trainRows"/>.</param>
    /// <param name="stop">Stops the search: the result is the best so far, with <see cref="SearchResult.StoppedEarly"/> set.</param>
    /// <param name="cancellationToken">Stops the search as <paramref name="stop"/> does, and sets <see cref="SearchResult.Cancelled"/>.</param>
    /// <returns>The result.</returns>
    public async Task<SearchResult> RunAsync(DataTable trainRows, DataTable? validationRows, CancellationToken stop, CancellationToken cancellationToken)
    {
        string source = _d.Source.Name;
        string metric = Options.Metric ?? FitDiagnosisValidator.DefaultMetric(_d.Task);
        bool higherIsBetter = Evaluation.Metric.HigherIsBetter(metric);
        int seed = unchecked((_d.Seed * 31) + 17);
        long start = _d.TimeProvider.GetTimestamp();

        // Held-out rows: the pipeline's validation part, or a share of the training part split the pipeline's way.
        DataTable innerTrain = trainRows, innerValidation;
        if (validationRows is { RowCount: > 0 })
        {
            innerValidation = validationRows;
        }
        else
        {
            var split = new SplitOptions { TestFraction = 0, ValidationFraction = Options.ValidationFraction, Strategy = _d.Split.Strategy, GroupColumn = _d.Split.GroupColumn };
            SplitIndexes parts = DataSplitter.Split(trainRows, split, _d.ResolvedSplitStrategy, _d.Label.Column, seed);
            if (parts.Validation.Length == 0 || parts.Train.Length == 0)
            {
                throw new DataValidationException(PipelineStage.Tuning, source, $"Holding out {Options.ValidationFraction:P0} of {trainRows.RowCount} training rows to judge the search left no rows on one side; use more data or another ValidationFraction.");
            }

            innerTrain = trainRows.Subset(parts.Train);
            innerValidation = trainRows.Subset(parts.Validation);
        }

        (DataTable train, LabelEncoding labels) = PipelineFitter.EncodeTraining(_d, innerTrain, source);
        DataTable validation = PipelineFitter.Encode(_d, labels, innerValidation);

        // The preparation is fitted once, on the rows the trials train on; its output is cached for every trial.
        var ml = new MLContext(seed);
        (IEstimator<ITransformer> preparationEstimator, _) = PipelineFitter.Compose(_d, ml, train, source, _plan.Spaces[0].CreateTrainer(new Dictionary<string, object>()));
        ITransformer preparation = await DedicatedThread.RunAsync(() => preparationEstimator.Fit(train), cancellationToken).ConfigureAwait(false);
        IDataView validationPrepared = ml.Data.Cache(preparation.Transform(validation));
        SchemaShape shape = SchemaShapes.Create(validationPrepared.Schema);

        List<Candidate> candidates = Draw(seed);
        var trials = new ConcurrentBag<SearchTrial>();
        using var halt = CancellationTokenSource.CreateLinkedTokenSource(stop, cancellationToken);
        bool halted = false, budgetReached = false, stoppedEarly = false;
        int number = 0;
        var permutation = Enumerable.Range(0, train.RowCount).ToArray();
        new Random(seed).Shuffle(permutation);
        int rounds = Options.Strategy == SearchStrategy.SuccessiveHalving ? Math.Max(1, (int)Math.Ceiling(Math.Log(candidates.Count) / Math.Log(Options.HalvingFactor))) : 1;
        int total = Options.Strategy == SearchStrategy.SuccessiveHalving ? Enumerable.Range(0, rounds).Sum(r => Survivors(candidates.Count, r)) : candidates.Count;
        int done = 0;
        List<Candidate> alive = candidates;
        for (int round = 0; round < rounds && alive.Count > 0 && !halted && !budgetReached; round++)
        {
            // Successive halving: each round trains on HalvingFactor times more rows, the last on all of them.
            int rows = round == rounds - 1 ? train.RowCount : Math.Max(Math.Min(train.RowCount, 50), (int)(train.RowCount / Math.Pow(Options.HalvingFactor, rounds - 1 - round)));
            IDataView data = rows == train.RowCount
                ? ml.Data.Cache(preparation.Transform(train))
                : ml.Data.Cache(preparation.Transform(train.Subset(permutation[..rows].Order().ToArray())));
            var scored = new ConcurrentDictionary<Candidate, double>();
            var numbers = alive.ToDictionary(c => c, _ => ++number);
            // The loop starts no trial once halted; a trial it started runs to its end on its own thread (hence no token).
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism, CancellationToken = halt.Token };
            try
            {
                await Parallel.ForEachAsync(alive, parallel, async (candidate, token) =>
                {
                    if (Options.TimeBudget is { } budget && _d.TimeProvider.GetElapsedTime(start) > budget)
                    {
                        budgetReached = true;
                        return;
                    }

                    int trialNumber = numbers[candidate];
                    SearchTrial trial = await DedicatedThread.RunAsync(() => Train(candidate, trialNumber, round, rows, data, validationPrepared, shape, labels, metric, seed), CancellationToken.None).ConfigureAwait(false);
                    trials.Add(trial);
                    scored[candidate] = trial.Score;
                    int finished = Interlocked.Increment(ref done);
                    Diagnostics.TrialFinished(_logger, trial.Number, trial.Description, metric, trial.Score, rows);
                    _progress?.Invoke(finished, total, string.Create(CultureInfo.InvariantCulture, $"Trial {trial.Number} ({finished}/{total}): {trial.Trainer} {metric} {trial.Score:G4}"));
                }).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (halt.IsCancellationRequested)
            {
                // Early only if a planned trial did not run: one of this round's, or a later round.
                halted = true;
                stoppedEarly = scored.Count < alive.Count || round < rounds - 1;
            }

            int keep = Survivors(candidates.Count, round + 1);
            alive = [.. alive.Where(scored.ContainsKey).Where(c => !double.IsNaN(scored[c])).OrderBy(c => higherIsBetter ? -scored[c] : scored[c]).ThenBy(c => numbers[c]).Take(keep)];
        }

        if (stoppedEarly)
        {
            Diagnostics.SearchStopped(_logger, done, total, cancellationToken.IsCancellationRequested ? "cancelled" : "asked to stop; the run goes on with the best so far");
        }

        var result = new SearchResult(Options.Strategy, metric, higherIsBetter, [.. trials.OrderBy(t => t.Number)], halted && cancellationToken.IsCancellationRequested, budgetReached, validation.RowCount, stoppedEarly, total);
        if (result.Best is { } best)
        {
            Diagnostics.SearchFinished(_logger, Options.Strategy.ToString(), result.Trials.Count, best.Description, metric, best.Score);
        }

        return result;
    }

    /// <summary>How many configurations successive halving keeps for round <paramref name="round"/>.</summary>
    private int Survivors(int initial, int round) => Options.Strategy == SearchStrategy.SuccessiveHalving
        ? Math.Max(1, (int)Math.Ceiling(initial / Math.Pow(Options.HalvingFactor, round)))
        : initial;

    private SearchTrial Train(Candidate candidate, int number, int round, int rows, IDataView data, IDataView validation, SchemaShape shape, LabelEncoding labels, string metric, int seed)
    {
        long started = _d.TimeProvider.GetTimestamp();
        var ml = new MLContext(unchecked((seed * 7919) + number));
        ITrainer trainer = candidate.Space.CreateTrainer(candidate.Values);
        double score;
        try
        {
            var problems = new List<string>();
            IEstimator<ITransformer> estimator = SchemaValidator.ComposeTrainer(_d, trainer, ml, shape, problems, trainer.StopsEarly ? () => validation : null)
                ?? throw new InvalidOperationException(string.Join(" ", problems));
            ITransformer fitted = estimator.Fit(data);
            EvaluationResult evaluation = _d.Evaluator.Evaluate(new EvaluationContext(ml, _d.Task, fitted.Transform(validation), _d.Label.Column, labels.ClassNames, "search validation"));
            score = evaluation[metric];
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            Diagnostics.TrialFailed(_logger, number, trainer.Name, ex.Message);
            score = double.NaN;
        }

        return new SearchTrial(number, trainer.Name, candidate.Values, score, rows, round, _d.TimeProvider.GetElapsedTime(started)) { Space = candidate.Space };
    }

    /// <summary>The configurations to try, in a seeded order.</summary>
    private List<Candidate> Draw(int seed)
    {
        var random = new Random(seed);
        IReadOnlyList<ISearchSpace> spaces = _plan.Spaces;
        if (Options.Strategy == SearchStrategy.Grid)
        {
            var grid = new List<Candidate>();
            foreach (ISearchSpace space in spaces)
            {
                IEnumerable<Dictionary<string, object>> combinations = [new Dictionary<string, object>(StringComparer.Ordinal)];
                foreach (Hyperparameter dimension in space.Parameters)
                {
                    IReadOnlyList<object> values = dimension.Grid(Options.GridPoints);
                    combinations = [.. combinations.SelectMany(c => values.Select(v => new Dictionary<string, object>(c, StringComparer.Ordinal) { [dimension.Name] = v }))];
                }

                grid.AddRange(combinations.Select(c => new Candidate(space, c)));
            }

            if (grid.Count > Options.MaxTrials)
            {
                Candidate[] shuffled = [.. grid];
                random.Shuffle(shuffled);
                return [.. shuffled.Take(Options.MaxTrials)];
            }

            return grid;
        }

        return [.. Enumerable.Range(0, Options.MaxTrials).Select(i =>
        {
            ISearchSpace space = spaces[i % spaces.Count];
            var values = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (Hyperparameter dimension in space.Parameters)
            {
                values[dimension.Name] = dimension.Sample(random);
            }

            return new Candidate(space, values);
        })];
    }

    private sealed record Candidate(ISearchSpace Space, IReadOnlyDictionary<string, object> Values);
}
