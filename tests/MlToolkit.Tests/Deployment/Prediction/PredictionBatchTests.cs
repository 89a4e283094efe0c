using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using static MlToolkit.Tests.Deployment.Prediction.PredictionTestKit;
using static MlToolkit.Tests.PipelineTestKit;
using PredictionResult = MlToolkit.Deployment.Prediction.Prediction;

namespace MlToolkit.Tests.Deployment.Prediction;

/// <summary>A binary, a three-class and a regression model, each published to its own registry with <c>production</c> on version 1.</summary>
public sealed class TaskModelsFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = TestData.TempFolder();

    internal ModelRegistry Churn { get; private set; } = null!;

    internal ModelRegistry Iris { get; private set; } = null!;

    internal ModelRegistry House { get; private set; } = null!;

    internal PipelineResult HouseResult { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Churn = new ModelRegistry(new LocalArtifactStore(Path.Combine(_folder.Path, "churn")), Name);
        await Churn.PublishAsync(await ChurnModelsFixture.TrainAsync(_folder, 10), Ct);
        await Churn.SetAliasAsync("production", 1, cancellationToken: Ct);

        Iris = new ModelRegistry(new LocalArtifactStore(Path.Combine(_folder.Path, "iris")), "iris");
        await new PipelineBuilder(seed: 2)
            .FromCsv(_folder.Write("iris.csv", TestData.MulticlassCsv(rows: 600)))
            .Label("species")
            .Train(Trainers.Multiclass.LightGbm(numberOfIterations: 20))
            .PublishTo(Iris, forcePromotion: true)
            .Build().RunAsync(cancellationToken: Ct);

        House = new ModelRegistry(new LocalArtifactStore(Path.Combine(_folder.Path, "house")), "house");
        HouseResult = await new PipelineBuilder(seed: 3)
            .FromCsv(_folder.Write("house.csv", TestData.RegressionCsv(rows: 600)))
            .Label("y")
            .Train(Trainers.Regression.LightGbm(numberOfIterations: 30))
            .PublishTo(House, forcePromotion: true)
            .Build().RunAsync(cancellationToken: Ct);
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A batch gives, row by row, exactly what single predictions give, for every task.</summary>
public class PredictionBatchTests(TaskModelsFixture models) : IClassFixture<TaskModelsFixture>
{
    private static readonly string[] Species = ["setosa", "versicolor", "virginica"];

    private static IrisRow[] IrisRows(int count)
    {
        var random = new Random(21);
        string[] shapes = ["round", "long", "flat"];
        return [.. Enumerable.Range(0, count).Select(_ => new IrisRow
        {
            a = (float)(random.NextDouble() * 1.8),
            b = (float)(random.NextDouble() * 1.8),
            c = (float)(random.NextDouble() * 1.8),
            shape = shapes[random.Next(3)],
        })];
    }

    private static Dictionary<string, object?> Untyped(IrisRow row) => new() { ["a"] = row.a, ["b"] = row.b, ["c"] = row.c, ["shape"] = row.shape };

    private static HouseRow[] HouseRows(int count)
    {
        var random = new Random(31);
        return [.. Enumerable.Range(0, count).Select(i => new HouseRow
        {
            x1 = i % 17 == 0 ? float.NaN : (float)(random.NextDouble() * 10),
            x2 = (float)(random.NextDouble() * 10),
            cat = random.NextDouble() < 0.5 ? "a" : "b",
        })];
    }

    private static Dictionary<string, object?> Untyped(HouseRow row) => new() { ["x1"] = float.IsNaN(row.x1) ? null : row.x1, ["x2"] = row.x2, ["cat"] = row.cat };

    private static void AssertSame(PredictionResult expected, PredictionResult actual, int row)
    {
        Assert.True(expected.Version == actual.Version, $"row {row}: version");
        Assert.True(expected.PredictedLabel == actual.PredictedLabel, $"row {row}: label {expected.PredictedLabel} vs {actual.PredictedLabel}");
        Assert.True(expected.Score == actual.Score, $"row {row}: score {expected.Score} vs {actual.Score}");
        Assert.True(expected.Probability == actual.Probability, $"row {row}: probability {expected.Probability} vs {actual.Probability}");
        Assert.Equal(expected.UnseenCategories, actual.UnseenCategories);
        if (expected.ClassScores is null)
        {
            Assert.Null(actual.ClassScores);
        }
        else
        {
            Assert.Equal(expected.ClassScores.OrderBy(p => p.Key, StringComparer.Ordinal), actual.ClassScores!.OrderBy(p => p.Key, StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task PredictBatch_UntypedBinary_EqualsPredictRowByRow()
    {
        await using var service = new PredictionService(models.Churn, Manual());
        await service.StartAsync(Ct);
        Dictionary<string, object?>[] rows = [.. ChurnRows(300).Select(PredictionTestKit.Untyped)];
        rows[7]["color"] = "purple";

        IReadOnlyList<PredictionResult> batch = service.PredictBatch(rows);
        PredictionResult[] singles = [.. rows.Select(service.Predict)];

        Assert.Equal(rows.Length, batch.Count);
        for (int r = 0; r < rows.Length; r++)
        {
            AssertSame(singles[r], batch[r], r);
        }

        Assert.Equal(["color"], batch[7].UnseenCategories);
        Assert.Equal(["no", "yes"], batch.Select(p => p.PredictedLabel).Distinct().Order(StringComparer.Ordinal));
        Assert.All(batch, p => Assert.Equal(p.Probability > 0.5f ? "yes" : "no", p.PredictedLabel));
    }

    [Fact]
    public async Task PredictBatch_TypedBinary_EqualsPredictRowByRowAndTheUntypedService()
    {
        await using var typed = new PredictionService<ChurnRow, ChurnOutput>(models.Churn, Manual());
        await typed.StartAsync(Ct);
        await using var untyped = new PredictionService(models.Churn, Manual());
        await untyped.StartAsync(Ct);
        ChurnRow[] rows = ChurnRows(300);

        (IReadOnlyList<ChurnOutput> batch, int version) = typed.PredictBatch(rows);
        IReadOnlyList<PredictionResult> untypedBatch = untyped.PredictBatch([.. rows.Select(PredictionTestKit.Untyped)]);

        Assert.Equal(1, version);
        Assert.Equal(rows.Length, batch.Count);
        for (int r = 0; r < rows.Length; r++)
        {
            (ChurnOutput single, int singleVersion) = typed.Predict(rows[r]);
            Assert.Equal(1, singleVersion);
            Assert.True(Same(single, batch[r]), $"row {r}: single {Describe(single)}, batch {Describe(batch[r])}");
            Assert.Equal(single.Probability, untypedBatch[r].Probability!.Value);
            Assert.Equal(single.PredictedLabel ? "yes" : "no", untypedBatch[r].PredictedLabel);
        }
    }

    [Fact]
    public async Task PredictBatch_UntypedMulticlass_EqualsPredictRowByRowWithClassNamesAndProbabilities()
    {
        await using var service = new PredictionService(models.Iris, Manual());
        await service.StartAsync(Ct);
        Dictionary<string, object?>[] rows = [.. IrisRows(200).Select(Untyped)];

        IReadOnlyList<PredictionResult> batch = service.PredictBatch(rows);

        Assert.Equal(Species, service.Manifest.Classes.Order(StringComparer.Ordinal));
        for (int r = 0; r < rows.Length; r++)
        {
            PredictionResult single = service.Predict(rows[r]);
            AssertSame(single, batch[r], r);
            Assert.Null(batch[r].Score);
            Assert.Null(batch[r].Probability);
            Assert.Equal(Species, batch[r].ClassScores!.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(1.0, batch[r].ClassScores!.Values.Sum(v => (double)v), 4);
            // The predicted class is the most probable one: the class names must be attached to the right scores.
            string best = batch[r].ClassScores!.MaxBy(p => p.Value).Key;
            Assert.True(best == batch[r].PredictedLabel, $"row {r}: predicted {batch[r].PredictedLabel} but the highest class score is {best} ({string.Join(", ", batch[r].ClassScores!.Select(p => $"{p.Key}={p.Value}"))})");
        }

        Assert.Equal(Species, batch.Select(p => p.PredictedLabel!).Distinct().Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(1.7, 0.1, 0.1, "round", "setosa")]
    [InlineData(0.1, 1.7, 0.1, "long", "versicolor")]
    [InlineData(0.1, 0.1, 1.7, "flat", "virginica")]
    public async Task Predict_UntypedMulticlassClearCase_PredictsTheClassName(double a, double b, double c, string shape, string species)
    {
        await using var service = new PredictionService(models.Iris, Manual());
        await service.StartAsync(Ct);

        PredictionResult p = service.Predict(new Dictionary<string, object?> { ["a"] = a, ["b"] = b, ["c"] = c, ["shape"] = shape });

        Assert.Equal(species, p.PredictedLabel);
        Assert.True(p.ClassScores![species] > 0.5f, $"{species} has probability {p.ClassScores[species]}");
    }

    [Fact]
    public async Task PredictBatch_TypedMulticlass_EqualsPredictRowByRowAndTheUntypedService()
    {
        await using var typed = new PredictionService<IrisRow, IrisOutput>(models.Iris, Manual());
        await typed.StartAsync(Ct);
        await using var untyped = new PredictionService(models.Iris, Manual());
        await untyped.StartAsync(Ct);
        IrisRow[] rows = IrisRows(200);
        IReadOnlyList<string> classes = untyped.Manifest.Classes;

        (IReadOnlyList<IrisOutput> batch, int version) = typed.PredictBatch(rows);

        Assert.Equal(1, version);
        for (int r = 0; r < rows.Length; r++)
        {
            IrisOutput single = typed.Predict(rows[r]).Output;
            Assert.Equal(single.PredictedLabel, batch[r].PredictedLabel);
            Assert.Equal(single.Score, batch[r].Score);
            PredictionResult u = untyped.Predict(Untyped(rows[r]));
            Assert.Equal(u.PredictedLabel, single.PredictedLabel);
            Assert.Equal(single.Score, classes.Select(c => u.ClassScores![c]));
        }
    }

    [Fact]
    public async Task PredictBatch_UntypedRegression_EqualsPredictRowByRowAndTheTrainedModel()
    {
        await using var service = new PredictionService(models.House, Manual());
        await service.StartAsync(Ct);
        HouseRow[] rows = HouseRows(200);
        var ml = new MLContext(0);
        float[] expected = [.. models.HouseResult.Model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float>("Score")];

        IReadOnlyList<PredictionResult> batch = service.PredictBatch([.. rows.Select(Untyped)]);

        for (int r = 0; r < rows.Length; r++)
        {
            AssertSame(service.Predict(Untyped(rows[r])), batch[r], r);
            Assert.Null(batch[r].PredictedLabel);
            Assert.Null(batch[r].Probability);
            Assert.Null(batch[r].ClassScores);
            Assert.True(expected[r] == batch[r].Score, $"row {r}: the trained model says {expected[r]:R}, the service {batch[r].Score:R}");
        }

        // y = 3*x1 - 2*x2 + 5*(cat == b): the model learned the signal.
        PredictionResult high = service.Predict(new Dictionary<string, object?> { ["x1"] = 9.0, ["x2"] = 1.0, ["cat"] = "b" });
        PredictionResult low = service.Predict(new Dictionary<string, object?> { ["x1"] = 1.0, ["x2"] = 9.0, ["cat"] = "a" });
        Assert.InRange(high.Score!.Value, 20f, 40f);
        Assert.InRange(low.Score!.Value, -25f, -5f);
    }

    [Fact]
    public async Task PredictBatch_TypedRegression_EqualsPredictRowByRowAndTheTrainedModel()
    {
        await using var typed = new PredictionService<HouseRow, HouseOutput>(models.House, Manual());
        await typed.StartAsync(Ct);
        HouseRow[] rows = HouseRows(200);
        float[] expected = [.. models.HouseResult.Model.Transform(new MLContext(0).Data.LoadFromEnumerable(rows)).GetColumn<float>("Score")];

        (IReadOnlyList<HouseOutput> batch, int version) = typed.PredictBatch(rows);

        Assert.Equal(1, version);
        for (int r = 0; r < rows.Length; r++)
        {
            Assert.True(SameBits(typed.Predict(rows[r]).Output.Score, batch[r].Score), $"row {r}");
            Assert.True(SameBits(expected[r], batch[r].Score), $"row {r}: the trained model says {expected[r]:R}, the service {batch[r].Score:R}");
        }
    }

    [Fact]
    public async Task PredictBatch_TypedMoreRowsThanMaxBatchSize_Throws()
    {
        await using var typed = new PredictionService<ChurnRow, ChurnOutput>(models.Churn, new PredictionServiceOptions { ReloadInterval = TimeSpan.Zero, MaxBatchSize = 5 });
        await typed.StartAsync(Ct);

        var ex = Assert.Throws<PredictionInputException>(() => typed.PredictBatch(ChurnRows(6)));
        (IReadOnlyList<ChurnOutput> five, _) = typed.PredictBatch(ChurnRows(5));

        Assert.Equal("(batch)", ex.Field);
        Assert.Equal(5, five.Count);
    }
}
