using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using static MlToolkit.Tests.Deployment.Prediction.PredictionTestKit;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Deployment.Prediction;

/// <summary>Many threads predicting at once get exactly the answers one thread gets.</summary>
[Collection(PredictionStressCollection.Name)]
public class PredictionThreadSafetyTests(ChurnModelsFixture models)
{
    private const int Threads = 8;

    [Fact]
    public async Task Predict_TypedEightThreadsTimesOneHundredThousand_GiveExactlyTheSingleThreadedAnswers()
    {
        const int PerThread = 100_000;
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, _) = await RegistryAsync(folder, models.ContextA);
        await using var service = new PredictionService<ChurnRow, ChurnOutput>(registry, Manual());
        await service.StartAsync(Ct);
        ChurnRow[] rows = ChurnRows(1_000);
        ChurnOutput[] expected = rows.Select(r => service.Predict(r).Output).ToArray();
        // The inputs must give varied answers, or a mix-up between threads could go unnoticed.
        Assert.True(expected.Select(o => o.Probability).Distinct().Count() > 100);
        Assert.Contains(expected, o => o.PredictedLabel);
        Assert.Contains(expected, o => !o.PredictedLabel);

        long mismatches = 0, exceptions = 0, predictions = 0;
        string? firstProblem = null;
        using var start = new Barrier(Threads);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Task[] tasks = [.. Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait(Ct);
                for (int i = 0; i < PerThread; i++)
                {
                    // Each thread walks the inputs from its own offset, so threads ask different questions at the same moment.
                    int k = (i + (t * 137)) % rows.Length;
                    try
                    {
                        (ChurnOutput output, int version) = service.Predict(rows[k]);
                        Interlocked.Increment(ref predictions);
                        if (version != 1 || !Same(expected[k], output))
                        {
                            Interlocked.Increment(ref mismatches);
                            Interlocked.CompareExchange(ref firstProblem, $"row {k}: expected {Describe(expected[k])} v1, got {Describe(output)} v{version}", null);
                        }
                    }
                    catch (Exception ex)
                    {
                        Interlocked.Increment(ref exceptions);
                        Interlocked.CompareExchange(ref firstProblem, $"row {k}: {ex}", null);
                    }
                }
            },
            Ct,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default))];
        await Task.WhenAll(tasks);
        watch.Stop();
        WriteLine($"typed: {predictions:N0} predictions on {Threads} threads in {watch.ElapsedMilliseconds:N0} ms");

        Assert.True(mismatches == 0 && exceptions == 0, $"{mismatches} mismatches, {exceptions} exceptions; first: {firstProblem}");
        Assert.Equal(Threads * (long)PerThread, predictions);
    }

    [Fact]
    public async Task Predict_UntypedEightThreadsTimesTwoThousand_GiveExactlyTheSingleThreadedAnswers()
    {
        const int PerThread = 2_000;
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, _) = await RegistryAsync(folder, models.ContextA);
        await using var service = new PredictionService(registry, Manual());
        await service.StartAsync(Ct);
        Dictionary<string, object?>[] rows = ChurnRows(500).Select(Untyped).ToArray();
        MlToolkit.Deployment.Prediction.Prediction[] expected = rows.Select(service.Predict).ToArray();
        Assert.True(expected.Select(p => p.Probability).Distinct().Count() > 50);
        Assert.Equal(["no", "yes"], expected.Select(p => p.PredictedLabel).Distinct().Order(StringComparer.Ordinal));

        long mismatches = 0, exceptions = 0, predictions = 0;
        string? firstProblem = null;
        using var start = new Barrier(Threads);
        Task[] tasks = [.. Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait(Ct);
                for (int i = 0; i < PerThread; i++)
                {
                    int k = (i + (t * 61)) % rows.Length;
                    try
                    {
                        MlToolkit.Deployment.Prediction.Prediction p = service.Predict(rows[k]);
                        Interlocked.Increment(ref predictions);
                        if (p.Version != 1 || p.PredictedLabel != expected[k].PredictedLabel
                            || !SameBits(expected[k].Probability!.Value, p.Probability!.Value) || !SameBits(expected[k].Score!.Value, p.Score!.Value)
                            || p.UnseenCategories.Count != 0)
                        {
                            Interlocked.Increment(ref mismatches);
                            Interlocked.CompareExchange(ref firstProblem, $"row {k}: expected {expected[k]}, got {p}", null);
                        }
                    }
                    catch (Exception ex)
                    {
                        Interlocked.Increment(ref exceptions);
                        Interlocked.CompareExchange(ref firstProblem, $"row {k}: {ex}", null);
                    }
                }
            },
            Ct,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default))];
        await Task.WhenAll(tasks);

        Assert.True(mismatches == 0 && exceptions == 0, $"{mismatches} mismatches, {exceptions} exceptions; first: {firstProblem}");
        Assert.Equal(Threads * (long)PerThread, predictions);
        Assert.Equal(0, service.UnseenCategories);
    }
}
