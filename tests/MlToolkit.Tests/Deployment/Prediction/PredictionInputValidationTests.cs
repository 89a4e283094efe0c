using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using static MlToolkit.Tests.Deployment.Prediction.PredictionTestKit;
using static MlToolkit.Tests.PipelineTestKit;
using PredictionResult = MlToolkit.Deployment.Prediction.Prediction;

namespace MlToolkit.Tests.Deployment.Prediction;

/// <summary>
/// A churn model (inputs x1, x2 numbers, color text with categories red/green/blue, flag boolean) and a model with a
/// 3-number vector input, each in its own registry with <c>production</c> on version 1.
/// </summary>
public sealed class ValidationModelsFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = TestData.TempFolder();

    internal ModelRegistry Churn { get; private set; } = null!;

    internal ModelRegistry Vectors { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Churn = new ModelRegistry(new LocalArtifactStore(Path.Combine(_folder.Path, "churn")), Name);
        await Churn.PublishAsync(await ChurnModelsFixture.TrainAsync(_folder, 10), Ct);
        await Churn.SetAliasAsync("production", 1, cancellationToken: Ct);

        var random = new Random(4);
        VectorTrainingRow[] rows = [.. Enumerable.Range(0, 300).Select(_ =>
        {
            float[] v = [(float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble()];
            return new VectorTrainingRow { v = v, Label = v[0] + v[1] > v[2] + 0.5f };
        })];
        Vectors = new ModelRegistry(new LocalArtifactStore(Path.Combine(_folder.Path, "vectors")), "vectors");
        PipelineResult result = await new PipelineBuilder(seed: 3)
            .FromEnumerable(rows)
            .Label("Label")
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 10))
            .PublishTo(Vectors, forcePromotion: true)
            .Build().RunAsync(cancellationToken: Ct);
        Assert.Equal("production", result.Deployments[0].PromotedTo);
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Requests that do not match the model's manifest are refused with the field (and, in a batch, the row) named.</summary>
public class PredictionInputValidationTests(ValidationModelsFixture models) : IClassFixture<ValidationModelsFixture>
{
    private async Task<PredictionService> StartAsync(PredictionServiceOptions? options = null)
    {
        var service = new PredictionService(models.Churn, options ?? Manual());
        await service.StartAsync(Ct);
        return service;
    }

    [Fact]
    public async Task Predict_ValidRow_ReturnsAPrediction()
    {
        await using PredictionService service = await StartAsync();

        PredictionResult p = service.Predict(Valid());

        Assert.Equal(1, p.Version);
        Assert.Equal("yes", p.PredictedLabel);
        Assert.InRange(p.Probability!.Value, 0.5f, 1f);
        Assert.Empty(p.UnseenCategories);
    }

    [Fact]
    public async Task Predict_MissingField_ThrowsNamingTheField()
    {
        await using PredictionService service = await StartAsync();

        var ex = Assert.Throws<PredictionInputException>(() => service.Predict(Valid(r => r.Remove("flag"))));

        Assert.Equal("flag", ex.Field);
        Assert.Null(ex.Row);
        Assert.Contains("missing", ex.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x1", "text")]
    [InlineData("x2", "a boolean")]
    [InlineData("color", "a number")]
    [InlineData("flag", "text")]
    [InlineData("flag", "a number")]
    [InlineData("flag", "null")]
    public async Task Predict_WrongType_ThrowsNamingTheField(string field, string given)
    {
        await using PredictionService service = await StartAsync();
        object? value = given switch
        {
            "text" => field == "flag" ? "true" : "3.5",
            "a boolean" => true,
            "a number" => 1,
            _ => null,
        };

        var ex = Assert.Throws<PredictionInputException>(() => service.Predict(Valid(r => r[field] = value)));

        Assert.Equal(field, ex.Field);
        Assert.Null(ex.Row);
        Assert.EndsWith($"but is {given}.", ex.Reason, StringComparison.Ordinal);
    }

    public static TheoryData<string, object> NonFiniteNumbers => new()
    {
        { "x1", double.PositiveInfinity },
        { "x1", double.NegativeInfinity },
        { "x2", double.NaN },
        { "x2", float.NaN },
        { "x1", float.PositiveInfinity },
    };

    [Theory]
    [MemberData(nameof(NonFiniteNumbers))]
    public async Task Predict_NonFiniteNumber_ThrowsNamingTheField(string field, object value)
    {
        await using PredictionService service = await StartAsync();

        var ex = Assert.Throws<PredictionInputException>(() => service.Predict(Valid(r => r[field] = value)));

        Assert.Equal(field, ex.Field);
        Assert.Contains("finite", ex.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1e40)]
    [InlineData(-1e40)]
    [InlineData(double.MaxValue)]
    public async Task Predict_NumberBeyondFloatRange_ThrowsNamingTheField(double value)
    {
        await using PredictionService service = await StartAsync();

        var ex = Assert.Throws<PredictionInputException>(() => service.Predict(Valid(r => r["x2"] = value)));

        Assert.Equal("x2", ex.Field);
        Assert.Contains("32-bit float", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_JsonNumberBeyondFloatRange_ThrowsNamingTheField()
    {
        await using PredictionService service = await StartAsync();

        var ex = Assert.Throws<PredictionInputException>(() => service.Predict(Json("""{"x1": 1e40, "x2": 1, "color": "red", "flag": true}""")));

        Assert.Equal("x1", ex.Field);
    }

    [Fact]
    public async Task Predict_UnknownFieldByDefault_ThrowsNamingTheField()
    {
        await using PredictionService service = await StartAsync();

        var ex = Assert.Throws<PredictionInputException>(() => service.Predict(Valid(r => r["colour"] = "blue")));

        Assert.Equal("colour", ex.Field);
        Assert.Contains("x1, x2, color, flag", ex.Reason, StringComparison.Ordinal);
    }

    /// <summary>As many fields as inputs, one of them misspelt: the missing input is named, and the misspelt field with it.</summary>
    [Fact]
    public async Task Predict_MisspeltFieldInsteadOfAnInput_ThrowsNamingBoth()
    {
        await using PredictionService service = await StartAsync();

        var ex = Assert.Throws<PredictionInputException>(() => service.Predict(Valid(r => { r.Remove("color"); r["colour"] = "red"; })));

        Assert.Equal("color", ex.Field);
        Assert.Contains("'colour', which is not an input", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_UnknownFieldIgnored_GivesTheSamePredictionAsWithoutIt()
    {
        await using PredictionService service = await StartAsync(new PredictionServiceOptions { ReloadInterval = TimeSpan.Zero, UnknownFields = UnknownFieldPolicy.Ignore });

        PredictionResult with = service.Predict(Valid(r => { r["colour"] = "blue"; r["label"] = "no"; }));
        PredictionResult without = service.Predict(Valid());

        Assert.Equal(without.Probability, with.Probability);
        Assert.Equal(without.PredictedLabel, with.PredictedLabel);
        Assert.Empty(with.UnseenCategories);
    }

    [Fact]
    public async Task Predict_NullForNumbersAndText_IsAcceptedAsMissing()
    {
        await using PredictionService service = await StartAsync();
        await using var typed = new PredictionService<ChurnRow, ChurnOutput>(models.Churn, Manual());
        await typed.StartAsync(Ct);

        PredictionResult p = service.Predict(Valid(r => { r["x2"] = null; r["color"] = null; }));
        PredictionResult json = service.Predict(Json("""{"x1": 9.5, "x2": null, "color": null, "flag": false}"""));
        ChurnOutput nan = typed.Predict(new ChurnRow { x1 = 9.5f, x2 = float.NaN, color = null!, flag = false }).Output;

        Assert.Equal(1, p.Version);
        Assert.NotNull(p.Probability);
        Assert.Equal(nan.Probability, p.Probability!.Value);
        Assert.Equal(p.Probability, json.Probability);
        Assert.Equal(p.PredictedLabel, json.PredictedLabel);
        Assert.Empty(p.UnseenCategories);
    }

    [Fact]
    public async Task Predict_JsonElements_GiveTheSamePredictionAsClrValues()
    {
        await using PredictionService service = await StartAsync();
        ChurnRow[] rows = ChurnRows(20, seed: 5);

        foreach (ChurnRow row in rows)
        {
            string x2 = float.IsNaN(row.x2) ? "null" : ((double)row.x2).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            string json = string.Create(System.Globalization.CultureInfo.InvariantCulture, $$"""{"x1": {{(double)row.x1:R}}, "x2": {{x2}}, "color": "{{row.color}}", "flag": {{(row.flag ? "true" : "false")}}}""");

            PredictionResult fromJson = service.Predict(Json(json));
            PredictionResult fromClr = service.Predict(Untyped(row));

            Assert.Equal(fromClr.Probability, fromJson.Probability);
            Assert.Equal(fromClr.Score, fromJson.Score);
            Assert.Equal(fromClr.PredictedLabel, fromJson.PredictedLabel);
        }
    }

    [Fact]
    public async Task Predict_JsonWrongTypes_ThrowNamingTheField()
    {
        await using PredictionService service = await StartAsync();

        Assert.Equal("x1", Assert.Throws<PredictionInputException>(() => service.Predict(Json("""{"x1": "9.5", "x2": 1, "color": "red", "flag": true}"""))).Field);
        Assert.Equal("color", Assert.Throws<PredictionInputException>(() => service.Predict(Json("""{"x1": 9.5, "x2": 1, "color": 2, "flag": true}"""))).Field);
        Assert.Equal("flag", Assert.Throws<PredictionInputException>(() => service.Predict(Json("""{"x1": 9.5, "x2": 1, "color": "red", "flag": "true"}"""))).Field);
        Assert.Equal("flag", Assert.Throws<PredictionInputException>(() => service.Predict(Json("""{"x1": 9.5, "x2": 1, "color": "red", "flag": null}"""))).Field);
        Assert.Equal("x2", Assert.Throws<PredictionInputException>(() => service.Predict(Json("""{"x1": 9.5, "x2": [1], "color": "red", "flag": true}"""))).Field);
    }

    [Fact]
    public async Task PredictBatch_BadRow_ThrowsNamingTheRowAndField()
    {
        await using PredictionService service = await StartAsync();
        Dictionary<string, object?>[] rows = [Valid(), Valid(r => r["x1"] = 2.0), Valid(r => r["x1"] = "high"), Valid()];

        var ex = Assert.Throws<PredictionInputException>(() => service.PredictBatch(rows));

        Assert.Equal(2, ex.Row);
        Assert.Equal("x1", ex.Field);
        Assert.StartsWith("Row 2: field 'x1'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictBatch_MissingFieldInFirstRow_ThrowsNamingRowZero()
    {
        await using PredictionService service = await StartAsync();

        var ex = Assert.Throws<PredictionInputException>(() => service.PredictBatch([Valid(r => r.Remove("x2")), Valid()]));

        Assert.Equal(0, ex.Row);
        Assert.Equal("x2", ex.Field);
    }

    [Fact]
    public async Task PredictBatch_UnknownFieldInLaterRow_ThrowsNamingTheRow()
    {
        await using PredictionService service = await StartAsync();

        var ex = Assert.Throws<PredictionInputException>(() => service.PredictBatch([Valid(), Valid(), Valid(r => r["extra"] = 1)]));

        Assert.Equal(2, ex.Row);
        Assert.Equal("extra", ex.Field);
    }

    /// <summary>A batch of one row is still a batch: the error names row 0, as the typed service's batch does.</summary>
    [Fact]
    public async Task PredictBatch_SingleBadRow_ThrowsNamingRowZero()
    {
        await using PredictionService service = await StartAsync();

        var ex = Assert.Throws<PredictionInputException>(() => service.PredictBatch([Valid(r => r["x1"] = double.NaN)]));

        Assert.Equal("x1", ex.Field);
        Assert.Equal(0, ex.Row);
    }

    [Fact]
    public async Task PredictBatch_MoreRowsThanMaxBatchSize_Throws()
    {
        await using PredictionService service = await StartAsync(new PredictionServiceOptions { ReloadInterval = TimeSpan.Zero, MaxBatchSize = 3 });

        var ex = Assert.Throws<PredictionInputException>(() => service.PredictBatch([Valid(), Valid(), Valid(), Valid()]));
        IReadOnlyList<PredictionResult> three = service.PredictBatch([Valid(), Valid(), Valid()]);

        Assert.Equal("(batch)", ex.Field);
        Assert.Contains("4 rows, more than the 3 allowed", ex.Reason, StringComparison.Ordinal);
        Assert.Equal(3, three.Count);
    }

    [Fact]
    public async Task PredictBatch_Empty_ReturnsNoPredictions()
    {
        await using PredictionService service = await StartAsync();

        Assert.Empty(service.PredictBatch([]));
    }

    [Fact]
    public async Task Predict_UnseenCategoryByDefault_IsScoredAndCounted()
    {
        await using PredictionService service = await StartAsync();

        PredictionResult p = service.Predict(Valid(r => r["color"] = "purple"));
        long afterOne = service.UnseenCategories;
        IReadOnlyList<PredictionResult> batch = service.PredictBatch([Valid(r => r["color"] = "Blue"), Valid(), Valid(r => r["color"] = "teal")]);

        Assert.Equal(["color"], p.UnseenCategories);
        Assert.NotNull(p.Probability);
        Assert.Equal(1, afterOne);
        Assert.Equal(["color"], batch[0].UnseenCategories);
        Assert.Empty(batch[1].UnseenCategories);
        Assert.Equal(["color"], batch[2].UnseenCategories);
        Assert.Equal(3, service.UnseenCategories);
    }

    [Fact]
    public async Task Predict_UnseenCategoryRejected_ThrowsNamingTheFieldAndCountsNothing()
    {
        await using PredictionService service = await StartAsync(new PredictionServiceOptions { ReloadInterval = TimeSpan.Zero, UnseenCategories = UnseenCategoryPolicy.Reject });

        var single = Assert.Throws<PredictionInputException>(() => service.Predict(Valid(r => r["color"] = "purple")));
        var batch = Assert.Throws<PredictionInputException>(() => service.PredictBatch([Valid(), Valid(r => r["color"] = "purple")]));
        PredictionResult seen = service.Predict(Valid(r => r["color"] = "red"));

        Assert.Equal("color", single.Field);
        Assert.Contains("not in the training data", single.Reason, StringComparison.Ordinal);
        Assert.Equal(1, batch.Row);
        Assert.Equal("color", batch.Field);
        Assert.Empty(seen.UnseenCategories);
        Assert.Equal(0, service.UnseenCategories);
    }

    [Fact]
    public async Task Predict_TypedInfiniteFloat_ThrowsNamingTheField()
    {
        await using var typed = new PredictionService<ChurnRow, ChurnOutput>(models.Churn, Manual());
        await typed.StartAsync(Ct);

        var single = Assert.Throws<PredictionInputException>(() => typed.Predict(new ChurnRow { x1 = float.PositiveInfinity, x2 = 1, color = "red" }));
        var batch = Assert.Throws<PredictionInputException>(() => typed.PredictBatch([new ChurnRow { x1 = 1, x2 = 1, color = "red" }, new ChurnRow { x1 = 1, x2 = float.NegativeInfinity, color = "red" }]));
        (ChurnOutput nan, int version) = typed.Predict(new ChurnRow { x1 = 1, x2 = float.NaN, color = "red" });

        Assert.Equal("x1", single.Field);
        Assert.Null(single.Row);
        Assert.Equal("x2", batch.Field);
        Assert.Equal(1, batch.Row);
        Assert.Equal(1, version);
        Assert.InRange(nan.Probability, 0f, 1f);
    }

    [Fact]
    public async Task Predict_TypedUnseenCategory_IsCountedOrRefused()
    {
        await using var allow = new PredictionService<ChurnRow, ChurnOutput>(models.Churn, Manual());
        await allow.StartAsync(Ct);
        await using var reject = new PredictionService<ChurnRow, ChurnOutput>(models.Churn, new PredictionServiceOptions { ReloadInterval = TimeSpan.Zero, UnseenCategories = UnseenCategoryPolicy.Reject });
        await reject.StartAsync(Ct);

        allow.Predict(new ChurnRow { x1 = 1, x2 = 1, color = "purple" });
        allow.PredictBatch([new ChurnRow { x1 = 1, x2 = 1, color = "teal" }, new ChurnRow { x1 = 1, x2 = 1, color = "red" }]);
        var ex = Assert.Throws<PredictionInputException>(() => reject.Predict(new ChurnRow { x1 = 1, x2 = 1, color = "purple" }));

        Assert.Equal(2, allow.UnseenCategories);
        Assert.Equal("color", ex.Field);
        Assert.Equal(0, reject.UnseenCategories);
    }

    [Fact]
    public async Task StartAsync_TypedInputLackingAModelColumn_ThrowsModelRegistryException()
    {
        await using var service = new PredictionService<ChurnRowWithoutFlag, ChurnOutput>(models.Churn, Manual());

        var ex = await Assert.ThrowsAsync<ModelRegistryException>(() => service.StartAsync(Ct));

        Assert.Equal(1, ex.Version);
        Assert.Contains(nameof(ChurnRowWithoutFlag), ex.Reason, StringComparison.Ordinal);
        Assert.Null(service.Version);
        Assert.Same(ex, service.LastReloadError);
    }

    [Fact]
    public async Task Predict_VectorOfTheRightLength_MatchesTheTypedAnswer()
    {
        await using var service = new PredictionService(models.Vectors, Manual());
        await service.StartAsync(Ct);
        await using var typed = new PredictionService<VectorTrainingRow, ChurnOutput>(models.Vectors, Manual());
        await typed.StartAsync(Ct);

        PredictionResult fromDoubles = service.Predict(new Dictionary<string, object?> { ["v"] = new[] { 0.9, 0.8, 0.1 } });
        PredictionResult fromList = service.Predict(new Dictionary<string, object?> { ["v"] = new List<object> { 0.9f, 0.8, 0.1m } });
        PredictionResult fromJson = service.Predict(Json("""{"v": [0.9, 0.8, 0.1]}"""));
        ChurnOutput expected = typed.Predict(new VectorTrainingRow { v = [0.9f, 0.8f, 0.1f] }).Output;

        Assert.Equal(expected.Probability, fromDoubles.Probability);
        Assert.Equal(expected.Probability, fromList.Probability);
        Assert.Equal(expected.Probability, fromJson.Probability);
        Assert.True(expected.PredictedLabel);
        Assert.Equal("true", fromDoubles.PredictedLabel);
        Assert.Equal("true", fromJson.PredictedLabel);
    }

    public static TheoryData<string, string> BadVectors => new()
    {
        { """{"v": [0.9, 0.8]}""", "must have 3 numbers but has 2" },
        { """{"v": [0.9, 0.8, 0.1, 0.2]}""", "must have 3 numbers but has 4" },
        { """{"v": []}""", "must have 3 numbers but has 0" },
        { """{"v": 0.9}""", "must be an array of 3 numbers but is a number" },
        { """{"v": "0.9,0.8,0.1"}""", "must be an array of 3 numbers but is text" },
        { """{"v": [0.9, "x", 0.1]}""", "must be a number but is text" },
        { """{"v": [0.9, null, 0.1]}""", "must be a number but is null" },
        { """{"v": [0.9, 1e40, 0.1]}""", "is beyond the range of a 32-bit float" },
    };

    [Theory]
    [MemberData(nameof(BadVectors))]
    public async Task Predict_BadVector_ThrowsNamingTheField(string json, string reason)
    {
        await using var service = new PredictionService(models.Vectors, Manual());
        await service.StartAsync(Ct);

        var ex = Assert.Throws<PredictionInputException>(() => service.Predict(Json(json)));

        Assert.Equal("v", ex.Field);
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_ClrVectorOfWrongLengthOrNonFinite_ThrowsNamingTheField()
    {
        await using var service = new PredictionService(models.Vectors, Manual());
        await service.StartAsync(Ct);

        var shortVector = Assert.Throws<PredictionInputException>(() => service.Predict(new Dictionary<string, object?> { ["v"] = new[] { 1f, 2f } }));
        var infinite = Assert.Throws<PredictionInputException>(() => service.Predict(new Dictionary<string, object?> { ["v"] = new[] { 1.0, double.PositiveInfinity, 2.0 } }));
        var batch = Assert.Throws<PredictionInputException>(() => service.PredictBatch([
            new Dictionary<string, object?> { ["v"] = new[] { 1.0, 2.0, 3.0 } },
            new Dictionary<string, object?> { ["v"] = new[] { 1.0, 2.0, 3.0, 4.0 } },
        ]));

        Assert.Equal(("v", (int?)null), (shortVector.Field, shortVector.Row));
        Assert.Contains("must have 3 numbers but has 2", shortVector.Reason, StringComparison.Ordinal);
        Assert.Equal("v", infinite.Field);
        Assert.Contains("finite", infinite.Reason, StringComparison.Ordinal);
        Assert.Equal(("v", (int?)1), (batch.Field, batch.Row));
    }

    /// <summary>The typed service refuses infinite numbers (its documented contract); one inside a vector property is no exception.</summary>
    [Fact]
    public async Task Predict_TypedInfiniteNumberInAVector_ThrowsNamingTheField()
    {
        await using var typed = new PredictionService<VectorTrainingRow, ChurnOutput>(models.Vectors, Manual());
        await typed.StartAsync(Ct);

        var single = Record.Exception(() => typed.Predict(new VectorTrainingRow { v = [0.9f, float.PositiveInfinity, 0.1f] }));
        var batch = Record.Exception(() => typed.PredictBatch([new VectorTrainingRow { v = [0.9f, 0.8f, 0.1f] }, new VectorTrainingRow { v = [0.9f, 0.8f, float.NegativeInfinity] }]));

        Assert.Equal("v", Assert.IsType<PredictionInputException>(single).Field);
        Assert.Equal(("v", (int?)1), (Assert.IsType<PredictionInputException>(batch).Field, ((PredictionInputException)batch).Row));
    }

    /// <summary>A vector property of the wrong length is a request that does not match the manifest: it should be named as such.</summary>
    [Fact]
    public async Task Predict_TypedVectorOfTheWrongLength_ThrowsNamingTheField()
    {
        await using var typed = new PredictionService<VectorTrainingRow, ChurnOutput>(models.Vectors, Manual());
        await typed.StartAsync(Ct);

        var single = Record.Exception(() => typed.Predict(new VectorTrainingRow { v = [0.9f, 0.8f] }));
        var batch = Record.Exception(() => typed.PredictBatch([new VectorTrainingRow { v = [0.9f, 0.8f, 0.1f] }, new VectorTrainingRow { v = [0.9f, 0.8f, 0.1f, 0.2f] }]));

        Assert.Equal("v", Assert.IsType<PredictionInputException>(single).Field);
        Assert.Equal(("v", (int?)1), (Assert.IsType<PredictionInputException>(batch).Field, ((PredictionInputException)batch).Row));
    }
}
