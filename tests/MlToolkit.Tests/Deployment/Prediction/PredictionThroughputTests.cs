using System.Diagnostics;
using System.Globalization;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using static MlToolkit.Tests.Deployment.Prediction.PredictionTestKit;
using static MlToolkit.Tests.PipelineTestKit;
using PredictionResult = MlToolkit.Deployment.Prediction.Prediction;

namespace MlToolkit.Tests.Deployment.Prediction;

/// <summary>
/// Throughput figures, written to the test output for the record. Times are never asserted (they depend on the
/// machine); only that every prediction was made and answered by version 1.
/// </summary>
[Collection(PredictionStressCollection.Name)]
public class PredictionThroughputTests(ChurnModelsFixture models)
{
    private const int Predictions = 200_000;

    [Fact]
    public async Task Predict_TypedOneAndTwoThreads_MakesEveryPredictionAndReportsTheRate()
    {
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, _) = await RegistryAsync(folder, models.ContextA);
        await using var service = new PredictionService<ChurnRow, ChurnOutput>(registry, Manual());
        await service.StartAsync(Ct);
        ChurnRow[] rows = ChurnRows(1_000);

        foreach (int threads in new[] { 1, 2 })
        {
            // A warm-up round (the JIT's tiers), then three measured rounds; the median is reported.
            Run(service, rows, threads, Predictions);
            var rates = new List<double>();
            for (int round = 0; round < 3; round++)
            {
                (long made, long versionOne, TimeSpan elapsed) = Run(service, rows, threads, Predictions);
                Assert.Equal(Predictions, made);
                Assert.Equal(Predictions, versionOne);
                rates.Add(made / elapsed.TotalSeconds);
            }

            rates.Sort();
            WriteLine(string.Create(CultureInfo.InvariantCulture, $"typed Predict, {threads} thread(s), {Predictions:N0} predictions per round: median {rates[1]:N0}/s (rounds {string.Join(", ", rates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))})"));
        }
    }

    [Fact]
    public async Task PredictBatch_UntypedBatchesOfOneThousand_ReturnsEveryRowAndReportsTheRate()
    {
        const int BatchSize = 1_000, Batches = 20;
        using TempFolder folder = TestData.TempFolder();
        (ModelRegistry registry, _) = await RegistryAsync(folder, models.ContextA);
        await using var service = new PredictionService(registry, Manual());
        await service.StartAsync(Ct);
        IReadOnlyDictionary<string, object?>[] batch = [.. ChurnRows(BatchSize).Select(Untyped)];
        for (int warmUp = 0; warmUp < 5; warmUp++)
        {
            Assert.Equal(BatchSize, service.PredictBatch(batch).Count);
        }

        var rates = new List<double>();
        var watch = new Stopwatch();
        for (int round = 0; round < 3; round++)
        {
            long rows = 0;
            watch.Restart();
            for (int b = 0; b < Batches; b++)
            {
                IReadOnlyList<PredictionResult> results = service.PredictBatch(batch);
                rows += results.Count(p => p.Version == 1 && p.Probability is not null);
            }

            watch.Stop();
            Assert.Equal(BatchSize * Batches, rows);
            rates.Add(rows / watch.Elapsed.TotalSeconds);
        }

        rates.Sort();
        WriteLine(string.Create(CultureInfo.InvariantCulture, $"untyped PredictBatch, batches of {BatchSize:N0}, {BatchSize * Batches:N0} rows per round: median {rates[1]:N0} rows/s (rounds {string.Join(", ", rates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))})"));

        // For comparison: single-row untyped predictions.
        const int Singles = 1_000;
        watch.Restart();
        int singles = 0;
        for (int i = 0; i < Singles; i++)
        {
            singles += service.Predict(batch[i % BatchSize]).Version;
        }

        watch.Stop();
        WriteLine(string.Create(CultureInfo.InvariantCulture, $"untyped Predict, 1 thread: {Singles:N0} predictions in {watch.Elapsed.TotalMilliseconds:N0} ms = {Singles / watch.Elapsed.TotalSeconds:N0}/s"));
        Assert.Equal(Singles, singles);
    }

    private static (long Made, long VersionOne, TimeSpan Elapsed) Run(PredictionService<ChurnRow, ChurnOutput> service, ChurnRow[] rows, int threads, int total)
    {
        long made = 0, versionOne = 0;
        int perThread = total / threads;
        using var start = new Barrier(threads + 1);
        Task[] tasks = [.. Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait(Ct);
                long mine = 0, ones = 0;
                for (int i = 0; i < perThread; i++)
                {
                    (ChurnOutput output, int version) = service.Predict(rows[(i + (t * 500)) % rows.Length]);
                    mine++;
                    if (version == 1 && output.Probability is >= 0f and <= 1f)
                    {
                        ones++;
                    }
                }

                Interlocked.Add(ref made, mine);
                Interlocked.Add(ref versionOne, ones);
            },
            Ct,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default))];
        start.SignalAndWait(Ct);
        var watch = Stopwatch.StartNew();
        Task.WaitAll(tasks, Ct);
        watch.Stop();
        return (made, versionOne, watch.Elapsed);
    }
}
