using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using static MlToolkit.Tests.Deployment.Prediction.PredictionTestKit;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Deployment.Prediction;

/// <summary>Alias flips while predictions run lose no request, and every answer is the answering version's own.</summary>
[Collection(PredictionStressCollection.Name)]
public class PredictionAliasFlipTests(ChurnModelsFixture models)
{
    private const int Workers = 4;
    private const int Flips = 100;

    [Fact]
    public async Task Predict_OneHundredAliasFlipsWhileFourThreadsPredict_EveryRequestAnsweredByVersionOneOrTwoCorrectly()
    {
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, _) = await RegistryAsync(folder, models.ContextA, models.ContextB);
        await using var service = new PredictionService<ChurnRow, ChurnOutput>(registry, Manual());
        await service.StartAsync(Ct);
        ChurnRow[] rows = ChurnRows(500, seed: 17);
        ChurnOutput[][] answers = [[], await OwnAnswersAsync(registry, 1, rows), await OwnAnswersAsync(registry, 2, rows)];
        Assert.True(Enumerable.Range(0, rows.Length).Count(r => !SameBits(answers[1][r].Probability, answers[2][r].Probability)) > rows.Length / 2);

        long total = 0, mismatches = 0, exceptions = 0, otherVersions = 0;
        long[] byVersion = new long[3];
        string? firstProblem = null;
        using var stop = new CancellationTokenSource();
        Task[] workers = [.. Enumerable.Range(0, Workers).Select(w => Task.Factory.StartNew(
            () =>
            {
                for (int i = w * 97; !stop.IsCancellationRequested; i++)
                {
                    int k = i % rows.Length;
                    try
                    {
                        (ChurnOutput output, int version) = service.Predict(rows[k]);
                        if (version is not (1 or 2))
                        {
                            Interlocked.Increment(ref otherVersions);
                            Interlocked.CompareExchange(ref firstProblem, $"row {k}: answered by version {version}", null);
                        }
                        else
                        {
                            Interlocked.Increment(ref byVersion[version]);
                            if (!Same(answers[version][k], output))
                            {
                                Interlocked.Increment(ref mismatches);
                                Interlocked.CompareExchange(ref firstProblem, $"row {k}: version {version} says {Describe(answers[version][k])}, the service {Describe(output)}", null);
                            }
                        }
                    }
                    catch (Exception ex)
                    {
                        Interlocked.Increment(ref exceptions);
                        Interlocked.CompareExchange(ref firstProblem, $"row {k}: {ex}", null);
                    }
                    finally
                    {
                        Interlocked.Increment(ref total);
                    }
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default))];

        long atStart = 0, duringFlips;
        int reloads = 0;
        try
        {
            await WaitForPredictionsAsync(() => Interlocked.Read(ref total), 0, 100);
            atStart = Interlocked.Read(ref total);
            for (int flip = 0; flip < Flips; flip++)
            {
                int target = flip % 2 == 0 ? 2 : 1;
                await registry.SetAliasAsync("production", target, cancellationToken: Ct);
                if (await service.ReloadAsync(Ct))
                {
                    reloads++;
                }

                Assert.Equal(target, service.Version);
                // Let the workers answer on this version before flipping again.
                await WaitForPredictionsAsync(() => Interlocked.Read(ref total), Interlocked.Read(ref total), 2 * Workers);
            }

            duringFlips = Interlocked.Read(ref total) - atStart;
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        WriteLine($"{duringFlips:N0} predictions during {Flips} alias flips ({Interlocked.Read(ref total):N0} in all: {byVersion[1]:N0} by version 1, {byVersion[2]:N0} by version 2).");
        Assert.True(exceptions == 0 && mismatches == 0 && otherVersions == 0, $"{exceptions} exceptions, {mismatches} wrong answers, {otherVersions} other versions; first: {firstProblem}");
        Assert.Equal(Flips, reloads);
        Assert.Equal(Flips, service.Reloads);
        Assert.Equal(total, byVersion[1] + byVersion[2]);
        Assert.True(byVersion[1] > 0 && byVersion[2] > 0, $"version 1 answered {byVersion[1]}, version 2 {byVersion[2]}");
        Assert.True(duringFlips >= Flips * 2 * Workers, $"{duringFlips} predictions during the flips");
        Assert.Equal(1, service.Version);
        Assert.Null(service.LastReloadError);
    }

    /// <summary>Waits (up to 30 s, without failing on time) until <paramref name="count"/> has grown by <paramref name="more"/> from <paramref name="from"/>.</summary>
    private static async Task WaitForPredictionsAsync(Func<long> count, long from, long more)
    {
        for (int i = 0; i < 30_000 && count() < from + more; i++)
        {
            await Task.Delay(1, Ct);
        }
    }
}
