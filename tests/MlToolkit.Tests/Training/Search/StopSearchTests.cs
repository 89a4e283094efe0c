using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using MlToolkit.Training.Search;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Training.Search;

using Search = MlToolkit.Training.Search.Search;

/// <summary>
/// <see cref="PipelineRunOptions.StopSearch"/>: a run told to stop searching goes on with the best trial so far, while the
/// run's own token still cancels it. The stop is signalled from the progress callback after a given trial, so that which
/// trials ran depends on no timing.
/// </summary>
[Collection(HyperparameterSearchTests.Name)] // the Angle trainer's tests count concurrent fits: none may run beside them
public class StopSearchTests
{
    private const int Planned = 10;

    /// <summary>A random search of SDCA configurations, one trial at a time, whose model is saved to <paramref name="store"/>.</summary>
    private static PipelineBuilder Sdca(string csv, LocalArtifactStore store, int seed = 5)
    {
        SearchOptions search = Search.Random(Planned);
        search.MaxDegreeOfParallelism = 1;
        return new PipelineBuilder(seed).FromCsv(csv).Label("label").Split(test: 0.2, validation: 0.1)
            .Tune(search, SearchSpaces.Binary.SdcaLogisticRegression())
            .SaveModelTo(store, "m/model.zip");
    }

    /// <summary>Progress that stops the search when trial number <paramref name="trials"/> of the run has finished, and records every report.</summary>
    private static SyncProgress<PipelineProgress> StopAfter(int trials, CancellationTokenSource stop, List<PipelineProgress>? reports = null)
        => new(p =>
        {
            reports?.Add(p);
            if (p.Stage == PipelineStage.Tuning && !p.Completed && p.Step == trials)
            {
                stop.Cancel();
            }
        });

    private static bool IsEmpty(LocalArtifactStore store)
        => !Directory.Exists(store.RootPath) || !Directory.EnumerateFileSystemEntries(store.RootPath, "*", SearchOption.AllDirectories).Any();

    [Fact]
    public async Task RunAsync_StopSearchAfterThreeTrials_DeploysTheBestOfThemRefittedOnTheWholeTrainingPart()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(600));
        var store = new LocalArtifactStore(Path.Combine(folder.Path, "stopped"));
        using var stop = new CancellationTokenSource();
        var reports = new List<PipelineProgress>();

        PipelineResult result = await Sdca(csv, store).Build().RunAsync(StopAfter(3, stop, reports), new PipelineRunOptions { StopSearch = stop.Token }, Ct);

        SearchResult search = result.Tuning!;
        Assert.True(search.StoppedEarly);
        Assert.False(search.Cancelled);
        Assert.False(search.BudgetReached);
        Assert.Equal(Planned, search.PlannedTrials);
        Assert.Equal([1, 2, 3], search.Trials.Select(t => t.Number));
        Assert.Equal(search.Trials.Max(t => t.Score), search.Best!.Score);
        Assert.Equal(search.Best.Trainer, result.Trainer);

        // The run went on: training, evaluation and deployment of the winner.
        Assert.Equal([PipelineStage.Tuning, PipelineStage.Preparation, PipelineStage.Training, PipelineStage.Evaluation, PipelineStage.Deployment],
            result.Timings.Select(t => t.Stage).SkipWhile(s => s != PipelineStage.Tuning));
        DeploymentResultAssert(result, store);

        // The deployed model is the best stopped trial trained on the whole training part: byte for byte what a run of that
        // configuration alone gives.
        var direct = new LocalArtifactStore(Path.Combine(folder.Path, "direct"));
        PipelineResult alone = await new PipelineBuilder(5).FromCsv(csv).Label("label").Split(test: 0.2, validation: 0.1)
            .Train(search.CreateBestTrainer()).SaveModelTo(direct, "m/model.zip").Build().RunAsync(cancellationToken: Ct);
        Assert.Equal(alone.Deployments[0].Sha256, result.Deployments[0].Sha256);
        Assert.Equal(alone.Metrics.Metrics, result.Metrics.Metrics);
    }

    private static void DeploymentResultAssert(PipelineResult result, LocalArtifactStore store)
    {
        Assert.Single(result.Deployments);
        Assert.True(File.Exists(store.GetPath("m/model.zip")));
        Assert.Equal(new FileInfo(store.GetPath("m/model.zip")).Length, result.Deployments[0].Bytes);
    }

    [Fact]
    public async Task RunAsync_SameSeedSameStopPoint_SameTrialsWinnerAndModel()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(600));
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();

        PipelineResult a = await Sdca(csv, new LocalArtifactStore(Path.Combine(folder.Path, "a"))).Build().RunAsync(StopAfter(4, stopA), new PipelineRunOptions { StopSearch = stopA.Token }, Ct);
        PipelineResult b = await Sdca(csv, new LocalArtifactStore(Path.Combine(folder.Path, "b"))).Build().RunAsync(StopAfter(4, stopB), new PipelineRunOptions { StopSearch = stopB.Token }, Ct);

        Assert.Equal(4, a.Tuning!.Trials.Count);
        Assert.Equal(a.Tuning.Trials.Select(t => (t.Number, t.Description, t.Score)), b.Tuning!.Trials.Select(t => (t.Number, t.Description, t.Score)));
        Assert.Equal(a.Tuning.Best!.Number, b.Tuning.Best!.Number);
        Assert.Equal(a.Deployments[0].Sha256, b.Deployments[0].Sha256);
    }

    [Fact]
    public async Task RunAsync_RunCancelledDuringSearch_ThrowsAndDeploysNothing()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(Path.Combine(folder.Path, "store"));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var reports = new List<PipelineProgress>();

        // The two-argument RunAsync: its token cancels the run, as it always did, and the best trial so far is not kept.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Sdca(folder.Write("data.csv", TestData.BinaryCsv(600)), store).Build().RunAsync(StopAfter(2, cancel, reports), cancel.Token));

        Assert.True(IsEmpty(store));
        Assert.Equal(2, reports.Where(r => r.Stage == PipelineStage.Tuning && r.StepCount > 0).Max(r => r.Step));
        Assert.DoesNotContain(reports, r => r.Stage is PipelineStage.Training or PipelineStage.Deployment);
        Assert.DoesNotContain(reports, r => r.Stage == PipelineStage.Tuning && r.Completed);
    }

    [Fact]
    public async Task RunAsync_StopSearchThenRunCancelled_ThrowsAndDeploysNothing()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(Path.Combine(folder.Path, "store"));
        using var stop = new CancellationTokenSource();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var reports = new List<PipelineProgress>();
        var progress = new SyncProgress<PipelineProgress>(p =>
        {
            reports.Add(p);
            if (p.Stage == PipelineStage.Tuning && p.Step == 2)
            {
                stop.Cancel();   // the first Ctrl+C: stop searching
            }

            if (p.Stage == PipelineStage.Training && !p.Completed)
            {
                cancel.Cancel(); // the second: cancel the run, while the winner is refitted
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Sdca(folder.Write("data.csv", TestData.BinaryCsv(600)), store).Build().RunAsync(progress, new PipelineRunOptions { StopSearch = stop.Token }, cancel.Token));

        Assert.True(IsEmpty(store));
        Assert.Equal(2, reports.Where(r => r.Stage == PipelineStage.Tuning && r.StepCount > 0).Max(r => r.Step)); // stopped after 2 trials
        Assert.Contains(reports, r => r.Stage == PipelineStage.Tuning && r.Completed); // and the run went on
        Assert.DoesNotContain(reports, r => r.Stage == PipelineStage.Deployment);
    }

    [Fact]
    public async Task RunAsync_StopSearchBeforeTheFirstTrial_MlToolkitExceptionAtTuningAndNothingDeployed()
    {
        using TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(Path.Combine(folder.Path, "store"));
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();
        var reports = new List<PipelineProgress>();

        var ex = await Assert.ThrowsAsync<MlToolkitException>(() => Sdca(folder.Write("data.csv", TestData.BinaryCsv(300)), store).Build()
            .RunAsync(new SyncProgress<PipelineProgress>(reports.Add), new PipelineRunOptions { StopSearch = stop.Token }, Ct));

        Assert.Equal(PipelineStage.Tuning, ex.Stage);
        Assert.Contains("stopped before its first trial", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was trained or deployed", ex.Message, StringComparison.Ordinal);
        Assert.True(IsEmpty(store));
        Assert.DoesNotContain(reports, r => r.Stage == PipelineStage.Tuning && r.StepCount > 0); // no trial ran
    }

    [Fact]
    public async Task RunAsync_StopSearchAfterTheSearchOrWithoutOne_ChangesNothing()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(300));
        using var stop = new CancellationTokenSource();
        var progress = new SyncProgress<PipelineProgress>(p =>
        {
            if (p.Stage == PipelineStage.Training && !p.Completed)
            {
                stop.Cancel();
            }
        });
        SearchOptions options = Search.Random(3);

        PipelineResult tuned = await new PipelineBuilder(2).FromCsv(csv).Label("label").Tune(options, SearchSpaces.Binary.SdcaLogisticRegression()).Build()
            .RunAsync(progress, new PipelineRunOptions { StopSearch = stop.Token }, Ct);
        PipelineResult plain = await new PipelineBuilder(2).FromCsv(csv).Label("label").Train(Trainers.Binary.SdcaLogisticRegression()).Build()
            .RunAsync(null, new PipelineRunOptions { StopSearch = stop.Token }, Ct); // already signalled

        Assert.True(stop.IsCancellationRequested);
        Assert.False(tuned.Tuning!.StoppedEarly);
        Assert.Equal(3, tuned.Tuning.Trials.Count);
        Assert.Equal(3, tuned.Tuning.PlannedTrials);
        Assert.Null(plain.Tuning);
        Assert.Contains(plain.Timings, t => t.Stage == PipelineStage.Training);
    }

    [Fact]
    public async Task RunAsync_StopSearchWhileTwoTrialsTrain_BothFinishAndCountAndNoOtherStarts()
    {
        // Two trials at a time: the first two fits wait for each other, and the stop comes when both are training.
        SearchOptions options = Search.Random(Planned);
        options.MaxDegreeOfParallelism = 2;
        using var stop = new CancellationTokenSource();
        var bothStarted = new Rendezvous(2, stop.Cancel);

        PipelineResult result = await new PipelineBuilder(3).FromEnumerable(AngleTrainer.Data(1_000, seed: 8)).Label("Label")
            .Tune(options, AngleTrainer.Space(onFit: bothStarted.Arrive)).Build()
            .RunAsync(null, new PipelineRunOptions { StopSearch = stop.Token }, Ct);

        SearchResult search = result.Tuning!;
        Assert.True(search.StoppedEarly);
        Assert.Equal([1, 2], search.Trials.Select(t => t.Number));
        Assert.All(search.Trials, t => Assert.False(double.IsNaN(t.Score)));
        Assert.Equal(search.Trials.MaxBy(t => t.Score)!.Number, search.Best!.Number);
        Assert.Equal(3, bothStarted.Arrivals); // the two trials, then the winner's refit: no third trial started
    }

    [Fact]
    public async Task RunAsync_SuccessiveHalvingStoppedInItsSecondRound_WinnerIsFromTheLastRoundReached()
    {
        SearchOptions options = Search.SuccessiveHalving(trials: 9, factor: 3); // 9 configurations on a third of the rows, then the best 3 on all
        using var stop = new CancellationTokenSource();

        PipelineResult result = await new PipelineBuilder(3).FromEnumerable(AngleTrainer.Data(2_000, seed: 8)).Label("Label")
            .Tune(options, AngleTrainer.Space()).Build()
            .RunAsync(StopAfter(10, stop), new PipelineRunOptions { StopSearch = stop.Token }, Ct);

        SearchResult search = result.Tuning!;
        Assert.True(search.StoppedEarly);
        Assert.Equal(12, search.PlannedTrials);
        Assert.Equal([9, 1], search.Trials.GroupBy(t => t.Round).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.Equal(10, search.Best!.Number); // the only trial of round 2, whatever round 1's scores
        Assert.Equal(1, search.Best.Round);
        // Round 2 starts with round 1's best configuration.
        Assert.Equal(search.Trials.Where(t => t.Round == 0).MaxBy(t => t.Score)!.Parameters["Angle"], search.Best.Parameters["Angle"]);
    }

    /// <summary>
    /// The first <paramref name="parties"/> callers of <see cref="Arrive"/> wait for each other, the last of them calling
    /// <paramref name="whenAllArrived"/> before it lets them go; later ones pass.
    /// </summary>
    private sealed class Rendezvous(int parties, Action whenAllArrived)
    {
        private readonly CountdownEvent _arrived = new(parties);
        private int _arrivals;

        public int Arrivals => Volatile.Read(ref _arrivals);

        public void Arrive()
        {
            if (Interlocked.Increment(ref _arrivals) > parties)
            {
                return;
            }

            if (_arrived.CurrentCount == 1)
            {
                whenAllArrived();
            }

            _arrived.Signal();
            if (!_arrived.Wait(TimeSpan.FromMinutes(2), Ct))
            {
                throw new TimeoutException($"Only {_arrived.InitialCount - _arrived.CurrentCount} of {parties} fits started together.");
            }
        }
    }
}
