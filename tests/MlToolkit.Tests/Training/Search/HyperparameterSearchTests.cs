using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Training;
using MlToolkit.Training.Search;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Training.Search;

using Search = MlToolkit.Training.Search.Search;

/// <summary>Searches on a problem built to have a known optimum (<see cref="AngleTrainer"/>: AUC peaks at −45°) and on real trainers.</summary>
[Collection(Name)]
public class HyperparameterSearchTests
{
    /// <summary>The tests that count concurrent fits of <see cref="AngleTrainer"/> must not run beside each other.</summary>
    public const string Name = "Angle trainer";

    private static PipelineBuilder Angle(SearchOptions options, int seed = 3, TimeSpan fitTime = default)
        => new PipelineBuilder(seed).FromEnumerable(AngleTrainer.Data(2_000, seed: 8)).Label("Label").Tune(options, AngleTrainer.Space(fitTime));

    private static double AngleOf(SearchTrial trial) => (double)trial.Parameters["Angle"];

    [Fact]
    public async Task Grid_FindsTheKnownOptimumExactly()
    {
        SearchResult result = await Angle(Search.Grid(points: 37)).Build().TuneAsync(cancellationToken: Ct);

        Assert.Equal(37, result.Trials.Count);
        Assert.Equal(-45, AngleOf(result.Best!), 9);
        Assert.Equal(Enumerable.Range(0, 37).Select(i => -90 + (5.0 * i)), result.Trials.Select(AngleOf), new ToleranceComparer(1e-9));
        Assert.All(result.Trials.Where(t => Math.Abs(AngleOf(t) + 45) > 20), t => Assert.True(t.Score < result.Best!.Score));
    }

    [Fact]
    public async Task Random_LandsNearTheOptimumAndScoresFallAwayFromIt()
    {
        SearchResult result = await Angle(Search.Random(trials: 40)).Build().TuneAsync(cancellationToken: Ct);

        Assert.Equal(40, result.Trials.Count);
        Assert.InRange(AngleOf(result.Best!), -55, -35);
        Assert.True(result.Trials.Where(t => AngleOf(t) > 30).All(t => t.Score < 0.7), "angles far from the optimum should score badly");
        Assert.Equal(Metric.Auc, result.Metric);
        Assert.True(result.HigherIsBetter);
    }

    [Fact]
    public async Task SameSeed_SameTrialsAndWinner_OtherSeed_OtherTrials()
    {
        SearchResult a = await Angle(Search.Random(12), seed: 5).Build().TuneAsync(cancellationToken: Ct);
        SearchResult b = await Angle(Search.Random(12), seed: 5).Build().TuneAsync(cancellationToken: Ct);
        SearchResult c = await Angle(Search.Random(12), seed: 6).Build().TuneAsync(cancellationToken: Ct);

        Assert.Equal(a.Trials.Select(t => (AngleOf(t), t.Score)), b.Trials.Select(t => (AngleOf(t), t.Score)));
        Assert.Equal(a.Best!.Number, b.Best!.Number);
        Assert.NotEqual(a.Trials.Select(AngleOf), c.Trials.Select(AngleOf));
    }

    [Fact]
    public async Task Parallel_RunsTrialsAtOnceAndGivesTheSameWinnerAsSequential()
    {
        SearchResult sequential = await Angle(Search.Random(10)).Build().TuneAsync(cancellationToken: Ct);
        AngleTrainer.ResetConcurrency();
        SearchOptions options = Search.Random(10);
        options.MaxDegreeOfParallelism = 2;

        SearchResult parallel = await Angle(options, fitTime: TimeSpan.FromMilliseconds(150)).Build().TuneAsync(cancellationToken: Ct);

        Assert.Equal(2, AngleTrainer.MaxConcurrentFits);
        Assert.Equal(sequential.Trials.Select(t => (t.Number, AngleOf(t), t.Score)), parallel.Trials.Select(t => (t.Number, AngleOf(t), t.Score)));
        Assert.Equal(sequential.Best!.Number, parallel.Best!.Number);
    }

    [Fact]
    public async Task SuccessiveHalving_KeepsAThirdEachRoundOnThreeTimesTheRowsAndEndsOnAllOfThem()
    {
        SearchResult result = await Angle(Search.SuccessiveHalving(trials: 27, factor: 3)).Build().TuneAsync(cancellationToken: Ct);

        int[] perRound = [.. result.Trials.GroupBy(t => t.Round).OrderBy(g => g.Key).Select(g => g.Count())];
        int[] rows = [.. result.Trials.GroupBy(t => t.Round).OrderBy(g => g.Key).Select(g => g.First().TrainRows)];
        Assert.Equal([27, 9, 3], perRound);
        Assert.Equal(1_600, rows[^1]); // 80% of 2,000 rows; 20% are held out to judge
        Assert.Equal(rows.Order(), rows);
        Assert.True(rows[1] >= rows[0] * 2, $"rows per round: {string.Join(", ", rows)}");
        Assert.Equal(2, result.Best!.Round);
        Assert.InRange(AngleOf(result.Best), -65, -25);
        // The survivors of a round are its best: every later configuration scored at least as well as every dropped one.
        var first = result.Trials.Where(t => t.Round == 0).ToList();
        var kept = result.Trials.Where(t => t.Round == 1).Select(AngleOf).ToHashSet();
        Assert.True(first.Where(t => kept.Contains(AngleOf(t))).Min(t => t.Score) >= first.Where(t => !kept.Contains(AngleOf(t))).Max(t => t.Score));
    }

    [Fact]
    public async Task TuneAsync_Cancelled_ReturnsTheBestSoFar()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var progress = new SyncProgress<PipelineProgress>(p =>
        {
            if (p.Stage == PipelineStage.Tuning && p.Step == 4)
            {
                cts.Cancel();
            }
        });

        SearchResult result = await Angle(Search.Random(30)).Build().TuneAsync(progress, cts.Token);

        Assert.True(result.Cancelled);
        Assert.True(result.StoppedEarly);
        Assert.Equal(30, result.PlannedTrials);
        Assert.Equal(4, result.Trials.Count); // one trial at a time: none starts after the cancellation
        Assert.Equal(result.Trials.MaxBy(t => t.Score)!.Number, result.Best!.Number);
    }

    [Fact]
    public async Task TimeBudget_StopsStartingTrials()
    {
        SearchOptions options = Search.Random(30);
        options.TimeBudget = TimeSpan.FromSeconds(5);

        SearchResult result = await Angle(options).WithTimeProvider(new SteppingClock(TimeSpan.FromSeconds(1))).Build().TuneAsync(cancellationToken: Ct);

        Assert.True(result.BudgetReached);
        Assert.InRange(result.Trials.Count, 1, 10);
        Assert.NotNull(result.Best);
    }

    [Fact]
    public async Task RunAsync_Tune_TrainsTheBestConfigurationOnTheWholeTrainingPart()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", TestData.BinaryCsv(800));

        PipelineResult tuned = await new PipelineBuilder(4).FromCsv(path).Label("label").Tune(Search.Random(5), SearchSpaces.Binary.LightGbm()).Build().RunAsync(cancellationToken: Ct);
        SearchTrial best = tuned.Tuning!.Best!;
        PipelineResult direct = await new PipelineBuilder(4).FromCsv(path).Label("label").Train(tuned.Tuning.CreateBestTrainer()).Build().RunAsync(cancellationToken: Ct);

        Assert.Equal(5, tuned.Tuning.Trials.Count);
        Assert.Equal("LightGbm", tuned.Trainer);
        Assert.Equal(direct.Metrics.Metrics, tuned.Metrics.Metrics);
        Assert.Equal(tuned.Tuning.Trials.Max(t => t.Score), best.Score);
        Assert.All(best.Parameters.Keys, k => Assert.Contains(k, (string[])["NumberOfLeaves", "LearningRate", "NumberOfIterations", "MinimumExampleCountPerLeaf"]));
        Assert.Contains(tuned.Timings, t => t.Stage == PipelineStage.Tuning);
    }

    [Fact]
    public async Task RunAsync_SeveralTrainers_OneSearchTriesEachAndKeepsTheBest()
    {
        using TempFolder folder = TestData.TempFolder();
        SearchOptions options = Search.Random(8);
        options.Metric = Metric.LogLoss;

        PipelineResult result = await new PipelineBuilder(2).FromCsv(folder.Write("data.csv", TestData.BinaryCsv(600))).Label("label")
            .Tune(options, [.. SearchSpaces.All(MlTask.BinaryClassification)]).Build().RunAsync(cancellationToken: Ct);

        SearchResult search = result.Tuning!;
        Assert.Equal(["FastTree", "LbfgsLogisticRegression", "LightGbm", "SdcaLogisticRegression"], search.Trials.Select(t => t.Trainer).Distinct().Order());
        Assert.False(search.HigherIsBetter);
        Assert.Equal(search.Trials.Min(t => t.Score), search.Best!.Score);
        Assert.Equal(search.Best.Trainer, result.Trainer);
    }

    [Fact]
    public void Build_SpaceForAnotherTask_Fails()
    {
        PipelineBuilder builder = new PipelineBuilder().FromEnumerable(AngleTrainer.Data(10, 1)).Label("Label")
            .Tune(Search.Random(3), SearchSpaces.Binary.LightGbm(), SearchSpaces.Regression.LightGbm());

        var ex = Assert.Throws<PipelineValidationException>(() => builder.Build());

        Assert.Contains(ex.Problems, p => p.Contains("space of LightGbm is for Regression", StringComparison.Ordinal));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }

    /// <summary>A clock whose every reading is one step later than the last.</summary>
    private sealed class SteppingClock(TimeSpan step) : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Add(ref _ticks, step.Ticks);
    }
}

[CollectionDefinition(HyperparameterSearchTests.Name)]
public sealed class AngleTrainerCollection;
