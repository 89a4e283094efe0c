using System.Globalization;
using Microsoft.ML;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Extraction.InMemory;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using PredictionResult = MlToolkit.Deployment.Prediction.Prediction;

namespace MlToolkit.Benchmarks;

/// <summary>
/// What <see cref="PredictionBenchmarks"/> predicts with: a LightGBM binary model trained through MlToolkit on the synthetic
/// data, published to a <see cref="ModelRegistry"/> in a temporary folder (deleted when the process exits) and promoted to
/// <c>production</c>; a raw <see cref="PredictionEngine{TSrc, TDst}"/> pair created from the model loaded from the registry; the
/// typed and untyped services over the same alias; and the requests, 10,000 rows the model was not trained on.
/// </summary>
public sealed class PredictionFixture
{
    public const int Seed = 42;

    private PredictionFixture(DirectoryInfo folder, LoadedModel loaded, PredictionService<FeatureRow, BinaryOutput> typed, PredictionService untyped, FeatureRow[] batch)
    {
        Folder = folder;
        Loaded = loaded;
        Engine = loaded.MLContext.Model.CreatePredictionEngine<FeatureRow, BinaryOutput>(loaded.Transformer, loaded.InputSchema);
        SecondEngine = loaded.MLContext.Model.CreatePredictionEngine<FeatureRow, BinaryOutput>(loaded.Transformer, loaded.InputSchema);
        Typed = typed;
        Untyped = untyped;
        Batch = batch;
        UntypedBatch = [.. batch.Select(SyntheticBinaryData.ToDictionary)];
        Inputs = batch[..PredictionBenchmarks.SingleRows];
        UntypedInputs = UntypedBatch[..PredictionBenchmarks.SingleRows];
    }

    public DirectoryInfo Folder { get; }

    /// <summary>The production model as the registry loads it (checked against its manifest).</summary>
    public LoadedModel Loaded { get; }

    /// <summary>ML.NET's engine over <see cref="Loaded"/>, for the single-row baseline and the first raw caller.</summary>
    public PredictionEngine<FeatureRow, BinaryOutput> Engine { get; }

    /// <summary>Another engine over <see cref="Loaded"/>, for the second raw caller (engines cannot be shared between threads).</summary>
    public PredictionEngine<FeatureRow, BinaryOutput> SecondEngine { get; }

    public PredictionService<FeatureRow, BinaryOutput> Typed { get; }

    public PredictionService Untyped { get; }

    /// <summary>The 10,000 batch requests (features only).</summary>
    public FeatureRow[] Batch { get; }

    /// <summary>The same requests as dictionaries of boxed floats.</summary>
    public IReadOnlyDictionary<string, object?>[] UntypedBatch { get; }

    /// <summary>The first 1,000 requests, for single-row predictions.</summary>
    public FeatureRow[] Inputs { get; }

    public IReadOnlyDictionary<string, object?>[] UntypedInputs { get; }

    /// <summary>The raw batch: one <c>Transform</c> over <c>LoadFromEnumerable</c>, read into a list with <c>CreateEnumerable</c>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="rows">The rows.</param>
    /// <returns>The outputs, in order.</returns>
    public static List<BinaryOutput> RawBatch(LoadedModel model, FeatureRow[] rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        MLContext ml = model.MLContext;
        IDataView scored = model.Transformer.Transform(ml.Data.LoadFromEnumerable(rows));
        return ml.Data.CreateEnumerable<BinaryOutput>(scored, reuseRowObject: false).ToList();
    }

    public static PredictionFixture Create() => CreateAsync().GetAwaiter().GetResult();

    private static async Task<PredictionFixture> CreateAsync()
    {
        int rows = BenchmarkMode.Quick ? 6_250 : 25_000;
        (LabeledRow[] train, LabeledRow[] test) = SyntheticBinaryData.SplitByIndex(SyntheticBinaryData.Generate(rows, SyntheticBinaryData.DefaultSeed + 1));
        DirectoryInfo folder = Directory.CreateTempSubdirectory("mltoolkit-bench-registry-");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A temporary folder: left for the system to clean.
            }
        };

        var registry = new ModelRegistry(new LocalArtifactStore(folder.FullName), "bench-binary");
        PipelineResult result = await new PipelineBuilder(Seed)
            .FromEnumerable(train)
            .TestOn(new EnumerableDataSource<LabeledRow>(test))
            .Label("Label")
            .Prepare(p => p.Select([.. SyntheticBinaryData.FeatureNames]))
            .Train(Trainers.Binary.LightGbm())
            .Validate(v => v.AtLeast(Metric.Auc, 0.6))
            .PublishTo(registry, promoteTo: "production")
            .Build()
            .RunAsync()
            .ConfigureAwait(false);
        if (result.Deployments is not [{ PromotedTo: "production" }])
        {
            throw new InvalidOperationException($"The model was not promoted: {result.DeploymentSkippedReason ?? result.Deployments.FirstOrDefault()?.PromotionSkippedReason}.");
        }

        LoadedModel loaded = await registry.LoadAsync("production").ConfigureAwait(false);
        var typed = new PredictionService<FeatureRow, BinaryOutput>(registry, new PredictionServiceOptions { ReloadInterval = TimeSpan.Zero });
        await typed.StartAsync().ConfigureAwait(false);
        var untyped = new PredictionService(registry, new PredictionServiceOptions { ReloadInterval = TimeSpan.Zero });
        await untyped.StartAsync().ConfigureAwait(false);

        // Requests: features only (no label), from rows the model was not trained on.
        FeatureRow[] batch = [.. SyntheticBinaryData.Generate(PredictionBenchmarks.BatchRows, SyntheticBinaryData.DefaultSeed + 2).Select(SyntheticBinaryData.FeaturesOf)];
        var fixture = new PredictionFixture(folder, loaded, typed, untyped, batch);
        fixture.CheckAgreement();

        // A few more rounds of every path, so that the first case measured in a --quick process does not pay for the JIT alone.
        for (int round = 0; round < 3; round++)
        {
            fixture.CheckAgreement();
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"// Model: LightGBM, 100 iterations, trained on {train.Length:N0} rows (test AUC {result.Metrics.Metrics[Metric.Auc]:F4}), registry version {typed.Version}, {loaded.Manifest.Bytes:N0} bytes. Raw engine, typed and untyped services, one row and batches agree on all {batch.Length:N0} requests."));
        return fixture;
    }

    /// <summary>Checks that the raw engine and batch and both services (one row and batch) give the same probabilities.</summary>
    private void CheckAgreement()
    {
        List<BinaryOutput> raw = RawBatch(Loaded, Batch);
        IReadOnlyList<BinaryOutput> typedBatch = Typed.PredictBatch(Batch).Outputs;
        IReadOnlyList<PredictionResult> untypedBatch = Untyped.PredictBatch(UntypedBatch);
        for (int i = 0; i < Batch.Length; i++)
        {
            float expected = raw[i].Probability;
            float[] others = i < Inputs.Length
                ? [typedBatch[i].Probability, untypedBatch[i].Probability ?? float.NaN, Engine.Predict(Batch[i]).Probability, Typed.Predict(Batch[i]).Output.Probability, Untyped.Predict(UntypedBatch[i]).Probability ?? float.NaN]
                : [typedBatch[i].Probability, untypedBatch[i].Probability ?? float.NaN];
            if (others.Any(p => !(Math.Abs(p - expected) <= 1e-6f)))
            {
                throw new InvalidOperationException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Request {i}: the ways of predicting disagree: raw batch {expected:R}; typed batch, untyped batch[, raw engine, typed, untyped] {string.Join(", ", others.Select(p => p.ToString("R", CultureInfo.InvariantCulture)))}."));
            }
        }
    }
}
