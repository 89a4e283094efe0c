using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Pipeline;
using MlToolkit.Preparation;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Pipeline;

/// <summary>
/// Fits run on threads that end with them, never on the thread pool: GNU OpenMP (LightGBM) keeps a team of threads for
/// every live thread that called it, and with more OpenMP threads than cores every later LightGBM fit slows down (about
/// 1.6× on 2 cores, see <c>DedicatedThread</c> and benchmarks/README.md). The speed is a benchmark's business; this pins the
/// mechanism.
/// </summary>
public class FitThreadTests
{
    [Fact]
    public async Task RunAsync_PreparationFit_RunsOnAThreadOfItsOwn()
    {
        using TempFolder folder = TestData.TempFolder();
        var fits = new ConcurrentQueue<(bool Pool, bool Background, int Id)>();

        await Pipeline(folder.Write("data.csv", TestData.BinaryCsv(200)), fits).Build().RunAsync(cancellationToken: Ct);

        (bool pool, bool background, int id) = Assert.Single(fits);
        Assert.False(pool, "the fit ran on a thread-pool thread");
        Assert.True(background, "a dedicated fit thread must not keep the host process alive");
        Assert.NotEqual(Environment.CurrentManagedThreadId, id);
    }

    [Fact]
    public async Task CrossValidateAsync_EveryFoldFit_RunsOnAThreadOfItsOwn()
    {
        using TempFolder folder = TestData.TempFolder();
        var fits = new ConcurrentQueue<(bool Pool, bool Background, int Id)>();

        await Pipeline(folder.Write("data.csv", TestData.BinaryCsv(200)), fits).CrossValidate(3).Build().CrossValidateAsync(cancellationToken: Ct);

        Assert.Equal(3, fits.Count);
        Assert.All(fits, f => Assert.False(f.Pool, "a fold ran on a thread-pool thread"));
        Assert.All(fits, f => Assert.True(f.Background));
    }

    private static PipelineBuilder Pipeline(string path, ConcurrentQueue<(bool, bool, int)> fits)
        => new PipelineBuilder(1)
            .FromCsv(path)
            .Label("label")
            .Prepare(new ThreadProbe(fits))
            .Prepare(p => p.ImputeMissing().OneHotEncode("color"))
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 10));

    /// <summary>Records, when fitted, whether the thread is a pool thread, a background thread, and its id.</summary>
    private sealed class ThreadProbe(ConcurrentQueue<(bool, bool, int)> fits) : IPreprocessor
    {
        public string Name => "ThreadProbe";

        public IEstimator<ITransformer> CreateEstimator(PreparationContext context) => new Estimator(fits);

        private sealed class Estimator(ConcurrentQueue<(bool, bool, int)> fits) : IEstimator<ITransformer>
        {
            public ITransformer Fit(IDataView input)
            {
                fits.Enqueue((Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.IsBackground, Environment.CurrentManagedThreadId));
                return new TransformerChain<ITransformer>();
            }

            public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inputSchema;
        }
    }
}
