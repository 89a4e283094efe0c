using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json;
using MlToolkit.AspNetCore;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Storage;
using MlToolkit.Tests.Deployment.Prediction;
using static MlToolkit.Tests.Deployment.Prediction.PredictionTestKit;
using static MlToolkit.Tests.PipelineTestKit;
using PredictionResult = MlToolkit.Deployment.Prediction.Prediction;

namespace MlToolkit.Tests.AspNetCore;

/// <summary>
/// One Kestrel server on a loopback port serving: <c>churn</c> (three versions, <c>production</c> on 1), <c>strict</c> (the
/// same registry, unseen categories refused) and <c>vectors</c> (a 3-number vector input).
/// </summary>
public sealed class ServingModelsFixture : IAsyncLifetime
{
    private readonly ChurnModelsFixture _models = new();
    private readonly ValidationModelsFixture _validation = new();
    private readonly TempFolder _folder = TestData.TempFolder();

    internal ServingServer Server { get; private set; } = null!;

    internal ModelRegistry Churn { get; private set; } = null!;

    internal ModelRegistry Vectors => _validation.Vectors;

    public async ValueTask InitializeAsync()
    {
        await _models.InitializeAsync();
        await _validation.InitializeAsync();
        (ModelRegistry churn, LocalArtifactStore store) = await RegistryAsync(_folder, _models.ContextA, _models.ContextB, _models.ContextC);
        Churn = churn;
        Server = await ServingServer.StartAsync(o =>
        {
            o.MaxBatchSize = 50;
            o.MaxRequestBodyBytes = 16 * 1024;
            o.AddModel(Name, store, s => s.ReloadInterval = TimeSpan.Zero);
            o.AddModel("strict", _ => new ModelRegistry(store, Name), s =>
            {
                s.ReloadInterval = TimeSpan.Zero;
                s.UnseenCategories = UnseenCategoryPolicy.Reject;
            });
            o.AddModel("vectors", _ => _validation.Vectors, s => s.ReloadInterval = TimeSpan.Zero);
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await _models.DisposeAsync();
        await _validation.DisposeAsync();
        _folder.Dispose();
    }
}

public class PredictionEndpointTests(ServingModelsFixture fixture) : IClassFixture<ServingModelsFixture>
{
    private ServingServer Server => fixture.Server;

    private const string ValidRow = """{"x1":9.5,"x2":1.0,"color":"blue","flag":false}""";

    [Fact]
    public async Task Predict_SingleRowsAndABatch_EqualTheInProcessService()
    {
        await using var service = new PredictionService(fixture.Churn, Manual());
        await service.StartAsync(Ct);
        ChurnRow[] rows = ChurnRows(20);

        HttpResponseMessage batch = await Server.PostAsync(Name, rows.Select(Untyped).ToArray());
        JsonElement batchJson = await ServingServer.JsonAsync(batch);
        IReadOnlyList<PredictionResult> expected = service.PredictBatch([.. rows.Select(Untyped)]);

        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        Assert.Equal(1, ServingServer.Version(batch));
        Assert.Equal(1, batchJson.GetProperty("version").GetInt32());
        JsonElement[] answers = [.. batchJson.GetProperty("predictions").EnumerateArray()];
        Assert.Equal(rows.Length, answers.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            HttpResponseMessage single = await Server.PostAsync(Name, Untyped(rows[i]));
            JsonElement one = await ServingServer.JsonAsync(single);
            PredictionResult alone = service.Predict(Untyped(rows[i]));

            Assert.Equal(alone.PredictedLabel, one.GetProperty("predictedLabel").GetString());
            Assert.True(SameBits(alone.Probability!.Value, one.GetProperty("probability").GetSingle()), $"row {i}");
            Assert.True(SameBits(alone.Score!.Value, one.GetProperty("score").GetSingle()), $"row {i}");
            Assert.Equal(expected[i].PredictedLabel, answers[i].GetProperty("predictedLabel").GetString());
            Assert.True(SameBits(expected[i].Probability!.Value, answers[i].GetProperty("probability").GetSingle()), $"batch row {i}");
        }
    }

    public static TheoryData<string, string, int, string, int?> BadRequests() => new()
    {
        { "malformed JSON", """{"x1":9.5,""", 400, "(body)", null },
        { "a string, not a row", "\"hello\"", 400, "(body)", null },
        { "empty body", "", 400, "(body)", null },
        { "trailing content", ValidRow + " {}", 400, "(body)", null },
        { "nested object for a number", """{"x1":{"v":1},"x2":1.0,"color":"blue","flag":false}""", 400, "x1", null },
        { "missing field", """{"x1":9.5,"x2":1.0,"flag":false}""", 400, "color", null },
        { "wrong type", """{"x1":"9.5","x2":1.0,"color":"blue","flag":false}""", 400, "x1", null },
        { "wrong boolean", """{"x1":9.5,"x2":1.0,"color":"blue","flag":"no"}""", 400, "flag", null },
        { "number beyond float", """{"x1":1e39,"x2":1.0,"color":"blue","flag":false}""", 400, "x1", null },
        { "non-finite number", """{"x1":1e400,"x2":1.0,"color":"blue","flag":false}""", 400, "x1", null },
        { "duplicate key", """{"x1":9.5,"x2":1.0,"color":"blue","flag":false,"x1":2}""", 400, "x1", null },
        { "unknown field", """{"x1":9.5,"x2":1.0,"color":"blue","flag":false,"colour":"red"}""", 400, "colour", null },
        { "batch row not an object", $$"""[{{ValidRow}},42]""", 400, "(row)", 1 },
        { "batch row with a wrong type", $$"""[{{ValidRow}},{{ValidRow}},{"x1":9.5,"x2":true,"color":"blue","flag":false}]""", 400, "x2", 2 },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Predict_BadRequest_ProblemDetailsNamingTheFieldAndNoStackTrace(string what, string body, int status, string field, int? row)
    {
        HttpResponseMessage response = await Server.PostAsync(Name, body);
        string text = await response.Content.ReadAsStringAsync(Ct);

        Assert.True(status == (int)response.StatusCode, $"{what}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        JsonElement problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Equal(Name, problem.GetProperty("model").GetString());
        if (row is { } r)
        {
            Assert.Equal(r, problem.GetProperty("row").GetInt32());
        }
        else
        {
            Assert.False(problem.TryGetProperty("row", out _), what);
        }

        Assert.Contains(field == "(body)" ? "The body" : $"'{field}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_VectorOfTheWrongLength_400NamingTheField()
    {
        HttpResponseMessage good = await Server.PostAsync("vectors", """{"v":[0.9,0.8,0.1]}""");
        HttpResponseMessage bad = await Server.PostAsync("vectors", """{"v":[0.9,0.8]}""");

        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        JsonElement problem = await ServingServer.JsonAsync(bad);
        Assert.Equal("v", problem.GetProperty("field").GetString());
        Assert.Contains("must have 3 numbers but has 2", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_TooLargeBodyOrBatch_413()
    {
        string hugeBody = "{\"x1\":9.5,\"pad\":\"" + new string('x', 20_000) + "\"}";
        string bigBatch = "[" + string.Join(",", Enumerable.Repeat(ValidRow, 51)) + "]";
        string fullBatch = "[" + string.Join(",", Enumerable.Repeat(ValidRow, 50)) + "]";

        HttpResponseMessage huge = await Server.PostAsync(Name, hugeBody);
        HttpResponseMessage big = await Server.PostAsync(Name, bigBatch);
        HttpResponseMessage full = await Server.PostAsync(Name, fullBatch);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Equal("(body)", (await ServingServer.JsonAsync(huge)).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        JsonElement problem = await ServingServer.JsonAsync(big);
        Assert.Equal("(batch)", problem.GetProperty("field").GetString());
        Assert.Contains("51 rows; at most 50", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal(50, (await ServingServer.JsonAsync(full)).GetProperty("predictions").GetArrayLength());
    }

    [Fact]
    public async Task Predict_ChunkedBodyOverTheLimit_413WithoutContentLength()
    {
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat(ValidRow, 400)) + "]")));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/models/{Name}/predict") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        HttpResponseMessage response = await Server.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Predict_UnknownModelOrNotJson_404And415()
    {
        HttpResponseMessage unknown = await Server.PostAsync("nope", ValidRow);
        HttpResponseMessage text = await Server.PostAsync(Name, ValidRow, "text/plain");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("the served models are: churn, strict, vectors", (await ServingServer.JsonAsync(unknown)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
    }

    [Fact]
    public async Task Predict_UnseenCategory_FlaggedByDefaultRefusedWhenStrict()
    {
        string unseen = """{"x1":9.5,"x2":1.0,"color":"purple","flag":false}""";

        HttpResponseMessage allowed = await Server.PostAsync(Name, unseen);
        HttpResponseMessage refused = await Server.PostAsync("strict", unseen);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(["color"], (await ServingServer.JsonAsync(allowed)).GetProperty("unseenCategories").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("color", (await ServingServer.JsonAsync(refused)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task GetModel_ServedVersion_ManifestAliasAndHeader()
    {
        HttpResponseMessage response = await Server.Client.GetAsync($"/models/{Name}", Ct);
        JsonElement json = await ServingServer.JsonAsync(response);
        JsonElement list = await ServingServer.JsonAsync(await Server.Client.GetAsync("/models", Ct));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, ServingServer.Version(response));
        Assert.Equal("production", json.GetProperty("alias").GetString());
        Assert.Equal(1, json.GetProperty("version").GetInt32());
        Assert.Equal(["x1", "x2", "color", "flag"], json.GetProperty("manifest").GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(3, list.GetArrayLength());
        Assert.All(list.EnumerateArray(), m => Assert.True(m.GetProperty("loaded").GetBoolean()));
    }

    [Fact]
    public async Task OpenApi_DescribesEachModelsInputsFromItsManifest()
    {
        JsonElement doc = await ServingServer.JsonAsync(await Server.Client.GetAsync("/models/openapi.json", Ct));

        Assert.Equal("3.0.3", doc.GetProperty("openapi").GetString());
        JsonElement paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/models/churn/predict", out JsonElement predict));
        Assert.True(paths.TryGetProperty("/models/vectors/predict", out _));
        Assert.Equal("#/components/schemas/ChurnInput", predict.GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("oneOf")[0].GetProperty("$ref").GetString());
        JsonElement schemas = doc.GetProperty("components").GetProperty("schemas");
        JsonElement input = schemas.GetProperty("ChurnInput");
        Assert.Equal(["x1", "x2", "color", "flag"], input.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.False(input.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal("boolean", input.GetProperty("properties").GetProperty("flag").GetProperty("type").GetString());
        Assert.Contains("blue", input.GetProperty("properties").GetProperty("color").GetProperty("description").GetString(), StringComparison.Ordinal);
        JsonElement vector = schemas.GetProperty("VectorsInput").GetProperty("properties").GetProperty("v");
        Assert.Equal(3, vector.GetProperty("minItems").GetInt32());
        Assert.Equal(3, vector.GetProperty("maxItems").GetInt32());
        Assert.Equal(50, predict.GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("oneOf")[1].GetProperty("maxItems").GetInt32());
    }

    [Fact]
    public async Task Telemetry_PredictionRequests_MetricsAndActivitiesWithTheModelsName()
    {
        var durations = new List<(double Value, string? Model, string? Outcome)>();
        var errors = new List<(long Value, string? Model, object? Status)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ServingTelemetry.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "mltoolkit.prediction.duration")
            {
                lock (durations)
                {
                    durations.Add((value, Tag(tags, "model") as string, Tag(tags, "outcome") as string));
                }
            }
        });
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "mltoolkit.prediction.errors")
            {
                lock (errors)
                {
                    errors.Add((value, Tag(tags, "model") as string, Tag(tags, "status")));
                }
            }
        });
        listener.Start();
        var activities = new List<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ServingTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = a =>
            {
                lock (activities)
                {
                    activities.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(activityListener);

        Assert.Equal(HttpStatusCode.OK, (await Server.PostAsync("vectors", """{"v":[0.1,0.2,0.3]}""")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Server.PostAsync("vectors", """{"v":[0.1]}""")).StatusCode);

        lock (durations)
        {
            Assert.Contains(durations, d => d is { Model: "vectors", Outcome: "success" } && d.Value > 0);
            Assert.Contains(durations, d => d is { Model: "vectors", Outcome: "error" });
        }

        lock (errors)
        {
            Assert.Contains(errors, e => e.Model == "vectors" && Equals(e.Status, 400) && e.Value == 1);
        }

        lock (activities)
        {
            Activity ok = Assert.Single(activities, a => a.OperationName == "MlToolkit.Predict" && (string?)a.GetTagItem("mltoolkit.model") == "vectors" && a.Status != ActivityStatusCode.Error);
            Assert.Equal(1, ok.GetTagItem("mltoolkit.version"));
            Assert.Contains(activities, a => (string?)a.GetTagItem("mltoolkit.model") == "vectors" && a.Status == ActivityStatusCode.Error);
        }

        static object? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == key)
                {
                    return tag.Value;
                }
            }

            return null;
        }
    }
}
