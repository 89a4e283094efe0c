using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Data;
using MlToolkit.Deployment;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Tests.Deployment.Registry;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Deployment.Prediction;

/// <summary>A row of the binary churn data (<see cref="TestData.BinaryCsv"/>) for the typed service.</summary>
public sealed class ChurnRow
{
    public float x1 { get; set; }

    public float x2 { get; set; }

    public string color { get; set; } = "";

    public bool flag { get; set; }
}

/// <summary>The binary outputs read by the typed service.</summary>
public sealed class ChurnOutput
{
    public bool PredictedLabel { get; set; }

    public float Score { get; set; }

    public float Probability { get; set; }
}

/// <summary>A churn row without the <c>flag</c> column the model reads.</summary>
public sealed class ChurnRowWithoutFlag
{
    public float x1 { get; set; }

    public float x2 { get; set; }

    public string color { get; set; } = "";
}

/// <summary>A row of the three-class data (<see cref="TestData.MulticlassCsv"/>).</summary>
public sealed class IrisRow
{
    public float a { get; set; }

    public float b { get; set; }

    public float c { get; set; }

    public string shape { get; set; } = "";
}

public sealed class IrisOutput
{
    public string PredictedLabel { get; set; } = "";

    public float[] Score { get; set; } = [];
}

/// <summary>A row of the regression data (<see cref="TestData.RegressionCsv"/>).</summary>
public sealed class HouseRow
{
    public float x1 { get; set; }

    public float x2 { get; set; }

    public string cat { get; set; } = "";
}

public sealed class HouseOutput
{
    public float Score { get; set; }
}

/// <summary>A training row with a 3-number vector input and a boolean label.</summary>
public sealed class VectorTrainingRow
{
    [VectorType(3)]
    public float[] v { get; set; } = [];

    public bool Label { get; set; }
}

/// <summary>
/// Three small binary LightGBM models on the same churn data (10, 4 and 25 rounds: three different model files whose
/// answers differ), each with validation passed, ready to publish to a fresh registry per test.
/// </summary>
public sealed class ChurnModelsFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = TestData.TempFolder();

    internal DeploymentContext ContextA { get; private set; } = null!;

    internal DeploymentContext ContextB { get; private set; } = null!;

    internal DeploymentContext ContextC { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        ContextA = await TrainAsync(_folder, 10);
        ContextB = await TrainAsync(_folder, 4);
        ContextC = await TrainAsync(_folder, 25);
    }

    /// <summary>Trains a binary LightGBM churn model with <paramref name="rounds"/> rounds (data files written to <paramref name="folder"/>).</summary>
    internal static async Task<DeploymentContext> TrainAsync(TempFolder folder, int rounds)
    {
        string train = folder.Write("train.csv", TestData.BinaryCsv(rows: 300, seed: 1));
        string test = folder.Write("test.csv", TestData.BinaryCsv(rows: 100, seed: 9));
        DataTable trainTable = await ReadCsvAsync(train);
        PipelineResult result = await TrainedModelsFixture.Builder(train, test, Trainers.Binary.LightGbm(numberOfIterations: rounds))
            .Validate(v => v.AtLeast(Metric.Auc, 0.5)).Build().RunAsync(cancellationToken: Ct);
        return new DeploymentContext(result.Model, result.Metrics, result.Validation, TrainedModelsFixture.Seed)
        {
            TrainingData = trainTable,
            TrainingMetrics = result.TrainingMetrics,
            DataFingerprint = DataFingerprint.Compute(trainTable),
        };
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The stress and measurement tests: they run on their own, after the parallel tests, so that 2 cores are theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PredictionStressCollection : ICollectionFixture<ChurnModelsFixture>
{
    public const string Name = "Prediction stress";
}

/// <summary>Helpers for the prediction service tests.</summary>
internal static class PredictionTestKit
{
    public const string Name = RegistryTestKit.Name;

    /// <summary>Options with automatic reloading off (reloads only by <c>ReloadAsync</c>).</summary>
    public static PredictionServiceOptions Manual() => new() { ReloadInterval = TimeSpan.Zero };

    /// <summary>A registry in <paramref name="folder"/> with the contexts published as versions 1, 2, …, and <c>production</c> on version 1.</summary>
    public static async Task<(ModelRegistry Registry, LocalArtifactStore Store)> RegistryAsync(TempFolder folder, params DeploymentContext[] versions)
    {
        var store = new LocalArtifactStore(folder.Path);
        var registry = new ModelRegistry(store, Name);
        foreach (DeploymentContext context in versions)
        {
            await registry.PublishAsync(context, Ct);
        }

        await registry.SetAliasAsync("production", 1, cancellationToken: Ct);
        return (registry, store);
    }

    /// <summary><paramref name="count"/> distinct churn rows (x1 distinct by construction), seeded.</summary>
    public static ChurnRow[] ChurnRows(int count, int seed = 11)
    {
        var random = new Random(seed);
        string[] colors = ["red", "green", "blue"];
        return Enumerable.Range(0, count).Select(i => new ChurnRow
        {
            x1 = (i * 10f / count) + (float)(random.NextDouble() * 0.001),
            x2 = random.NextDouble() < 0.1 ? float.NaN : (float)(random.NextDouble() * 5),
            color = colors[random.Next(3)],
            flag = random.NextDouble() < 0.5,
        }).ToArray();
    }

    /// <summary>The untyped form of a churn row (numbers as doubles, a missing x2 as null).</summary>
    public static Dictionary<string, object?> Untyped(ChurnRow row) => new()
    {
        ["x1"] = (double)row.x1,
        ["x2"] = float.IsNaN(row.x2) ? null : (double)row.x2,
        ["color"] = row.color,
        ["flag"] = row.flag,
    };

    /// <summary>A valid untyped churn row, with <paramref name="change"/> applied.</summary>
    public static Dictionary<string, object?> Valid(Action<Dictionary<string, object?>>? change = null)
    {
        var row = new Dictionary<string, object?> { ["x1"] = 9.5, ["x2"] = 1.0, ["color"] = "blue", ["flag"] = false };
        change?.Invoke(row);
        return row;
    }

    /// <summary>The JSON object <paramref name="json"/> as a row of <see cref="JsonElement"/> values (the document is cloned).</summary>
    public static Dictionary<string, object?> Json(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal);
    }

    /// <summary>The answers of a registry version for <paramref name="rows"/>, from its own prediction engine (no service involved).</summary>
    public static async Task<ChurnOutput[]> OwnAnswersAsync(ModelRegistry registry, int version, IReadOnlyList<ChurnRow> rows)
    {
        LoadedModel model = await registry.LoadAsync(version, Ct);
        using PredictionEngine<ChurnRow, ChurnOutput> engine = model.MLContext.Model.CreatePredictionEngine<ChurnRow, ChurnOutput>(model.Transformer, model.InputSchema);
        return rows.Select(engine.Predict).ToArray();
    }

    public static bool SameBits(float expected, float actual) => BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual);

    public static bool Same(ChurnOutput expected, ChurnOutput actual)
        => expected.PredictedLabel == actual.PredictedLabel && SameBits(expected.Probability, actual.Probability) && SameBits(expected.Score, actual.Score);

    public static string Describe(ChurnOutput o) => string.Create(CultureInfo.InvariantCulture, $"(label {o.PredictedLabel}, p {o.Probability:R}, score {o.Score:R})");

    public static void WriteLine(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);
}
