using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using MlToolkit.AspNetCore;
using MlToolkit.Deployment;
using MlToolkit.Deployment.Registry;
using MlToolkit.Storage;
using MlToolkit.Tests.AspNetCore;
using MlToolkit.Tests.Deployment.Prediction;
using static MlToolkit.Tests.Deployment.Prediction.PredictionTestKit;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Hostile;

/// <summary>
/// Two Kestrel servers serving the churn model as <c>hostile</c>, with every log entry captured: <see cref="Server"/> reads
/// bodies with our own 2-second <see cref="MlToolkitServingOptions.RequestBodyTimeout"/> (Kestrel's minimum data rate off);
/// <see cref="KestrelLimits"/> leaves the body timeout long and sets Kestrel's minimum data rate (2-second grace) and a
/// 4 KiB <c>MaxRequestBodySize</c> below our own 16 KiB.
/// </summary>
public sealed class HostileServingFixture : IAsyncLifetime
{
    public const string Model = "hostile";

    /// <summary>The same model under another name, for the tests that count one request's metrics (no other test uses it).</summary>
    public const string GoneModel = "hostile-gone";

    private readonly TempFolder _folder = TestData.TempFolder();

    internal LocalArtifactStore Store { get; private set; } = null!;

    internal ServingServer Server { get; private set; } = null!;

    internal LogCapture Logs { get; } = new();

    internal ServingServer KestrelLimits { get; private set; } = null!;

    internal LogCapture KestrelLimitsLogs { get; } = new();

    /// <summary>Requests of <see cref="Server"/> that carry a probe header, as they reach the application.</summary>
    internal Arrivals Arrivals { get; } = new();

    public async ValueTask InitializeAsync()
    {
        DeploymentContext context = await ChurnModelsFixture.TrainAsync(_folder, 10);
        (_, Store) = await RegistryAsync(_folder, context);
        Server = await StartAsync(Store, Model, Logs, o =>
        {
            o.RequestBodyTimeout = TimeSpan.FromSeconds(2);
            o.AddModel(GoneModel, _ => new ModelRegistry(Store, Name), s => s.ReloadInterval = TimeSpan.Zero);
        }, k => k.Limits.MinRequestBodyDataRate = null, Arrivals);
        KestrelLimits = await StartAsync(Store, Model, KestrelLimitsLogs, o => o.RequestBodyTimeout = TimeSpan.FromMinutes(10), k =>
        {
            k.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(2));
            k.Limits.MaxRequestBodySize = 4096;
        });

        // Readiness logs an error per probe while a model loads; what is under test starts now.
        Logs.Entries.Clear();
        KestrelLimitsLogs.Entries.Clear();
    }

    /// <summary>A server for <paramref name="model"/> whose logs (ours at Debug, the framework's at Information) go to <paramref name="logs"/>.</summary>
    internal static Task<ServingServer> StartAsync(LocalArtifactStore store, string model, LogCapture logs, Action<MlToolkitServingOptions>? configure = null, Action<KestrelServerOptions>? kestrel = null, Arrivals? arrivals = null)
        => ServingServer.StartAsync(
            o =>
            {
                o.MaxBatchSize = 50;
                o.MaxRequestBodyBytes = 16 * 1024;
                o.AddModel(model, _ => new ModelRegistry(store, Name), s => s.ReloadInterval = TimeSpan.Zero);
                configure?.Invoke(o);
            },
            host: b =>
            {
                b.Logging.AddProvider(logs);
                b.Logging.SetMinimumLevel(LogLevel.Debug);
                b.Logging.AddFilter("Microsoft", LogLevel.Information);
                if (kestrel is not null)
                {
                    b.WebHost.ConfigureKestrel(kestrel);
                }

                if (arrivals is not null)
                {
                    b.Services.AddSingleton<IStartupFilter>(arrivals);
                }
            });

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await KestrelLimits.DisposeAsync();
        _folder.Dispose();
    }
}

/// <summary>
/// Hostile requests against a real Kestrel server: invalid UTF-8, charsets other than UTF-8, a byte-order mark, bodies that
/// arrive too slowly, clients that go away mid-body, and floods of them. Each is answered as the client error it is, logged
/// at most at Debug, and counted by its status; only a fault of the server is a 500 logged as an error.
/// </summary>
public class ServingHostileTests(HostileServingFixture fixture) : IClassFixture<HostileServingFixture>
{
    private const string Model = HostileServingFixture.Model;

    private const string ValidRow = """{"x1":9.5,"x2":1.0,"color":"blue","flag":false}""";

    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private ServingServer Server => fixture.Server;

    /// <summary>Bodies with bytes that are not UTF-8, and the offset of the first such byte.</summary>
    public static TheoryData<string, byte[], int> InvalidUtf8()
    {
        var data = new TheoryData<string, byte[], int>();
        foreach ((string what, byte[] body, int offset) in new[]
        {
            Case("in a text value (Latin-1 é)", """{"x1":9.5,"x2":1.0,"color":"bl""", [0xE9], """ue","flag":false}"""),
            Case("in a property name", """{"x1":9.5,"x2":1.0,"col""", [0xE9], """r":"blue","flag":false}"""),
            Case("in a batch's second row", "[" + ValidRow + ",{\"x1\":9.5,\"x2\":1.0,\"color\":\"", [0xE9], "\",\"flag\":false}]"),
            Case("in text nested in an array", """{"x1":9.5,"x2":1.0,"color":["b""", [0xE9], "\"],\"flag\":false}"),
            Case("a sequence cut short", """{"x1":9.5,"x2":1.0,"color":"blu""", [0xC3], "\",\"flag\":false}"),
            Case("an overlong encoding of '/'", """{"x1":9.5,"x2":1.0,"color":"a""", [0xC0, 0xAF], "\",\"flag\":false}"),
            Case("an encoded surrogate", """{"x1":9.5,"x2":1.0,"color":"a""", [0xED, 0xA0, 0x80], "\",\"flag\":false}"),
            Case("after a UTF-8 byte-order mark", "\uFEFF" + """{"x1":9.5,"x2":1.0,"color":"bl""", [0xE9], """ue","flag":false}"""),
            ("UTF-16 with its byte-order mark", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(ValidRow)], 0),
        })
        {
            data.Add(what, body, offset);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public async Task Predict_BodyNotUtf8_400NamingTheByteOffset(string what, byte[] body, int offset)
    {
        HttpResponseMessage response = await SendAsync(Server, body, "application/json");
        string text = await response.Content.ReadAsStringAsync(Ct);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode} {text}");
        JsonElement problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("(body)", problem.GetProperty("field").GetString());
        Assert.Equal(offset, problem.GetProperty("offset").GetInt32());
        string detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("The body is not valid UTF-8", detail, StringComparison.Ordinal);
        Assert.Contains($"offset {offset}", detail, StringComparison.Ordinal);
        Assert.Contains($"0x{body[offset]:X2}", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        AssertNoErrorLogged(fixture.Logs);
    }

    [Fact]
    public async Task Predict_Utf16BodyWithItsByteOrderMark_SaysUtf16()
    {
        HttpResponseMessage response = await SendAsync(Server, [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(ValidRow)], "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("UTF-16 byte-order mark", (await ServingServer.JsonAsync(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"x1":9.5,"x2":1.0,"color":"\ud800","flag":false}""", "color")]
    [InlineData("""{"x1":9.5,"x2":1.0,"color":"a\udc00b","flag":false}""", "color")]
    [InlineData($$"""[{{ValidRow}},{"x1":9.5,"x2":1.0,"color":"\ud800\u0041","flag":false}]""", "color")]
    [InlineData("""{"x1":9.5,"x2":1.0,"color":"blue","flag":false,"\ud800":1}""", "(body)")]
    public async Task Predict_EscapedLoneSurrogate_400NotText(string body, string field)
    {
        HttpResponseMessage response = await Server.PostAsync(Model, body);
        string text = await response.Content.ReadAsStringAsync(Ct);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        JsonElement problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Contains("unpaired UTF-16 surrogate", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        AssertNoErrorLogged(fixture.Logs);
    }

    [Theory]
    [InlineData("application/json; charset=iso-8859-1", "iso-8859-1")]
    [InlineData("application/json;charset=utf-16", "utf-16")]
    [InlineData("application/json; charset=\"windows-1252\"", "windows-1252")]
    [InlineData("application/json; charset=utf8", "utf8")]
    [InlineData("application/problem+json; charset=UTF-16LE", "UTF-16LE")]
    public async Task Predict_CharsetOtherThanUtf8_415NamingIt(string contentType, string charset)
    {
        HttpResponseMessage response = await SendAsync(Server, Encoding.UTF8.GetBytes(ValidRow), contentType);
        string text = await response.Content.ReadAsStringAsync(Ct);

        Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{(int)response.StatusCode} {text}");
        string detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
        Assert.Contains($"charset '{charset}'", detail, StringComparison.Ordinal);
        Assert.Contains("UTF-8", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json;charset=Utf-8")]
    [InlineData("application/json; charset=\"utf-8\"")]
    [InlineData("application/json; charset=\"UTF-8\"")]
    [InlineData("application/json")]
    public async Task Predict_Utf8CharsetAnyCaseQuotedOrNot_Accepted(string contentType)
    {
        HttpResponseMessage response = await SendAsync(Server, Encoding.UTF8.GetBytes(ValidRow), contentType);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
    }

    [Fact]
    public async Task Predict_Utf8ByteOrderMarkBeforeJson_AcceptedAndTheSameAnswer()
    {
        string batch = $"[{ValidRow},{ValidRow}]";

        JsonElement plain = await ServingServer.JsonAsync(await SendAsync(Server, Encoding.UTF8.GetBytes(ValidRow), "application/json"));
        HttpResponseMessage single = await SendAsync(Server, [.. Bom, .. Encoding.UTF8.GetBytes(ValidRow)], "application/json");
        HttpResponseMessage many = await SendAsync(Server, [.. Bom, .. Encoding.UTF8.GetBytes(batch)], "application/json; charset=utf-8");
        HttpResponseMessage onlyBom = await SendAsync(Server, Bom, "application/json");
        HttpResponseMessage twoBoms = await SendAsync(Server, [.. Bom, .. Bom, .. Encoding.UTF8.GetBytes(ValidRow)], "application/json");

        Assert.True(single.StatusCode == HttpStatusCode.OK, await single.Content.ReadAsStringAsync(Ct));
        JsonElement answer = await ServingServer.JsonAsync(single);
        Assert.Equal(plain.GetProperty("probability").GetSingle(), answer.GetProperty("probability").GetSingle());
        Assert.Equal(HttpStatusCode.OK, many.StatusCode);
        Assert.Equal(2, (await ServingServer.JsonAsync(many)).GetProperty("predictions").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, onlyBom.StatusCode);
        Assert.Equal("(body)", (await ServingServer.JsonAsync(onlyBom)).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, twoBoms.StatusCode);
        Assert.Equal("Malformed JSON", (await ServingServer.JsonAsync(twoBoms)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task Predict_BodySlowerThanRequestBodyTimeout_408AndConnectionClosed()
    {
        using var metrics = new ServingMetrics(Model);
        byte[] body = Encoding.UTF8.GetBytes(ValidRow);
        using Socket socket = await RawHttp.OpenAsync(Server);
        await socket.SendAsync(RawHttp.Head(Model, body.Length), Ct);
        await socket.SendAsync(body.AsMemory(0, 10), Ct);

        RawResponse response = await RawHttp.ReadAsync(socket); // after the 2-second timeout; waits up to a minute

        Assert.True(response.Status == 408, response.ToString());
        Assert.Contains("connection: close", response.Head, StringComparison.OrdinalIgnoreCase);
        JsonElement problem = JsonDocument.Parse(response.Body).RootElement;
        Assert.Equal(408, problem.GetProperty("status").GetInt32());
        Assert.Contains($"10 of {body.Length} bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("RequestBodyTimeout", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await metrics.WaitForAsync(408, 1);
        Assert.DoesNotContain(metrics.Errors, e => e >= 500);
        AssertNoErrorLogged(fixture.Logs);
        Assert.Contains(fixture.Logs.Entries, e => e is { EventId: 2111, Level: LogLevel.Debug } && e.Message.Contains("408", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenApi_PredictResponses_Describe408AndTheUtf8Rules()
    {
        JsonElement doc = await ServingServer.JsonAsync(await Server.Client.GetAsync("/models/openapi.json", Ct));
        JsonElement responses = doc.GetProperty("paths").GetProperty($"/models/{Model}/predict").GetProperty("post").GetProperty("responses");

        Assert.Contains("within 2 s", responses.GetProperty("408").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("not UTF-8", responses.GetProperty("400").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("charset is not UTF-8", responses.GetProperty("415").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_BodySlowerThanKestrelsMinimumDataRate_408NotA500()
    {
        using var metrics = new ServingMetrics(Model);
        byte[] body = Encoding.UTF8.GetBytes(ValidRow);
        using Socket socket = await RawHttp.OpenAsync(fixture.KestrelLimits);
        await socket.SendAsync(RawHttp.Head(Model, body.Length), Ct);
        await socket.SendAsync(body.AsMemory(0, 10), Ct);

        RawResponse response = await RawHttp.ReadAsync(socket); // after Kestrel's 2-second grace period

        Assert.True(response.Status == 408, response.ToString());
        Assert.Contains("minimum data rate", JsonDocument.Parse(response.Body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await metrics.WaitForAsync(408, 1);
        Assert.DoesNotContain(metrics.Errors, e => e >= 500);
        AssertNoErrorLogged(fixture.KestrelLimitsLogs);
    }

    [Fact]
    public async Task Predict_BodyOverKestrelsMaxRequestBodySize_413NotA500()
    {
        string big = "{\"x1\":9.5,\"pad\":\"" + new string('x', 8_000) + "\"}";

        HttpResponseMessage response = await fixture.KestrelLimits.PostAsync(Model, big);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("(body)", (await ServingServer.JsonAsync(response)).GetProperty("field").GetString());
        AssertNoErrorLogged(fixture.KestrelLimitsLogs);
    }

    [Fact]
    public async Task Predict_MalformedChunkedEncoding_400NotA500()
    {
        using Socket socket = await RawHttp.OpenAsync(Server);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /models/{Model}/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{ValidRow}\r\n0\r\n\r\n"), Ct);

        RawResponse response = await RawHttp.ReadAsync(socket);

        Assert.True(response.Status == 400, response.ToString());
        Assert.Contains("could not be read", JsonDocument.Parse(response.Body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        AssertNoErrorLogged(fixture.Logs);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Predict_ClientGoesAwayMidBody_LoggedAtDebugAndCountedAsAbortNotA500(bool reset)
    {
        using var metrics = new ServingMetrics(HostileServingFixture.GoneModel);
        int logged = GoneLogged();
        byte[] body = Encoding.UTF8.GetBytes(ValidRow);
        using (Socket socket = await RawHttp.OpenAsync(Server))
        {
            string probe = Guid.NewGuid().ToString("N");
            await socket.SendAsync(RawHttp.Head(HostileServingFixture.GoneModel, body.Length, probe), Ct);
            await socket.SendAsync(body.AsMemory(0, 10), Ct);
            await fixture.Arrivals.WaitAsync(probe); // the request is in the application: the endpoint will read its body
            RawHttp.Close(socket, reset);
        }

        await metrics.WaitForAsync(ServingMetrics.ClientClosedRequest, 1);

        Assert.Equal([ServingMetrics.ClientClosedRequest], metrics.Errors); // its own model: no other test's requests here
        Assert.Equal(["aborted"], metrics.Outcomes);
        AssertNoErrorLogged(fixture.Logs);
        Assert.Equal(logged + 1, GoneLogged()); // logged before it is counted

        int GoneLogged() => fixture.Logs.Entries.Count(e => e is { EventId: 2112, Level: LogLevel.Debug } && e.Message.Contains($"'{HostileServingFixture.GoneModel}'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Predict_ChunkedBodyCutShort_NotAnErrorOfTheServer(bool reset)
    {
        using var metrics = new ServingMetrics(HostileServingFixture.GoneModel);
        using (Socket socket = await RawHttp.OpenAsync(Server))
        {
            string probe = Guid.NewGuid().ToString("N");
            await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /models/{HostileServingFixture.GoneModel}/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n{Arrivals.Header}: {probe}\r\n\r\n30\r\n{ValidRow[..10]}"), Ct);
            await fixture.Arrivals.WaitAsync(probe);
            RawHttp.Close(socket, reset);
        }

        await metrics.WaitForAnyAsync();

        // A reset is a client gone (499). A clean close inside a chunk reaches us as Kestrel's 400 "Unexpected end of request
        // content", which without parsing its message cannot be told from bad framing: a client error either way.
        int status = Assert.Single(metrics.Errors);
        Assert.True(status == (reset ? ServingMetrics.ClientClosedRequest : 400), $"{status}");
        AssertNoErrorLogged(fixture.Logs);
    }

    [Fact]
    public async Task Predict_FloodOfBadRequests_EachAnsweredItsStatusAndNoErrorLogged()
    {
        const int Each = 200;
        using var metrics = new ServingMetrics(Model);
        var statuses = new ConcurrentDictionary<(string Kind, int Status), int>();
        void Count(string kind, int status) => statuses.AddOrUpdate((kind, status), 1, (_, n) => n + 1);
        (string Kind, byte[] Body, string ContentType, string Model, int Expected)[] kinds =
        [
            ("not UTF-8 text", Bytes("""{"x1":9.5,"x2":1.0,"color":"bl""", [0xE9], """ue","flag":false}"""), "application/json", Model, 400),
            ("not UTF-8 name", Bytes("""{"x1":9.5,"col""", [0xE9], """r":"blue","x2":1.0,"flag":false}"""), "application/json", Model, 400),
            ("not UTF-8 batch", Bytes("[" + ValidRow + ",{\"x1\":9.5,\"x2\":1.0,\"color\":\"", [0xFF], "\",\"flag\":false}]"), "application/json", Model, 400),
            ("lone surrogate", Encoding.UTF8.GetBytes("""{"x1":9.5,"x2":1.0,"color":"\ud800","flag":false}"""), "application/json", Model, 400),
            ("latin-1 charset", Encoding.Latin1.GetBytes(ValidRow), "application/json; charset=iso-8859-1", Model, 415),
            ("utf-16 charset", Encoding.Unicode.GetBytes(ValidRow), "application/json; charset=utf-16", Model, 415),
            ("byte-order mark", [.. Bom, .. Encoding.UTF8.GetBytes(ValidRow)], "application/json", Model, 200),
            ("malformed JSON", Encoding.UTF8.GetBytes("""{"x1":9.5,"""), "application/json", Model, 400),
            ("missing field", Encoding.UTF8.GetBytes("""{"x1":9.5,"x2":1.0,"flag":false}"""), "application/json", Model, 400),
            ("body too large", Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 17_000) + "\"}"), "application/json", Model, 413),
            ("batch too large", Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat(ValidRow, 51)) + "]"), "application/json", Model, 413),
            ("not JSON", Encoding.UTF8.GetBytes(ValidRow), "text/plain", Model, 415),
            ("unknown model", Encoding.UTF8.GetBytes(ValidRow), "application/json", "nope", 404),
        ];

        await Parallel.ForEachAsync(kinds.SelectMany(k => Enumerable.Repeat(k, Each)), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (k, _) =>
        {
            HttpResponseMessage response = await SendAsync(Server, k.Body, k.ContentType, k.Model);
            await response.Content.ReadAsByteArrayAsync(Ct);
            Count(k.Kind, (int)response.StatusCode);
        });
        byte[] row = Encoding.UTF8.GetBytes(ValidRow);
        await Parallel.ForEachAsync(Enumerable.Range(0, Each * 3), new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = Ct }, async (i, _) =>
        {
            using Socket socket = await RawHttp.OpenAsync(Server);
            string probe = Guid.NewGuid().ToString("N");
            await socket.SendAsync(RawHttp.Head(Model, row.Length, probe), Ct);
            await socket.SendAsync(row.AsMemory(0, 10), Ct);
            if (i % 3 == 0)
            {
                Count("too slow", (await RawHttp.ReadAsync(socket)).Status);
            }
            else
            {
                await fixture.Arrivals.WaitAsync(probe);
                RawHttp.Close(socket, reset: i % 3 == 2);
            }
        });
        await metrics.WaitForAsync(ServingMetrics.ClientClosedRequest, 2 * Each);

        foreach ((string kind, _, _, _, int expected) in kinds)
        {
            Assert.True(statuses.GetValueOrDefault((kind, expected)) == Each, $"{kind}: {string.Join(", ", statuses.Where(s => s.Key.Kind == kind).Select(s => $"{s.Key.Status} x{s.Value}"))}");
        }

        Assert.Equal(Each, statuses.GetValueOrDefault(("too slow", 408)));
        Assert.DoesNotContain(metrics.Errors, e => e >= 500);
        Assert.Equal(2 * Each, metrics.Errors.Count(e => e == ServingMetrics.ClientClosedRequest));
        AssertNoErrorLogged(fixture.Logs);
        Assert.DoesNotContain(fixture.Logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Predict_FaultOfTheServer_Still500LoggedAsErrorWithoutAStackTraceInTheAnswer()
    {
        const string Faulty = "hostile-fault";
        var logs = new LogCapture();
        await using ServingServer server = await HostileServingFixture.StartAsync(fixture.Store, Faulty, logs);
        logs.Entries.Clear(); // readiness logs an error per probe while the model loads
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ServingTelemetry.MeterName && instrument.Name == "mltoolkit.prediction.rows")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag is { Key: "model", Value: Faulty })
                {
                    throw new InvalidOperationException("A fault inside the server (the rows counter's listener fails).");
                }
            }
        });
        listener.Start();

        HttpResponseMessage response = await server.PostAsync(Faulty, ValidRow);
        string text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("rows counter", text, StringComparison.Ordinal);
        Assert.True(JsonDocument.Parse(text).RootElement.TryGetProperty("traceId", out _));
        LogEntry error = Assert.Single(logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.Equal(2110, error.EventId);
        Assert.Contains("rows counter", error.Exception?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(3e6)]
    public void RequestBodyTimeout_NotPositiveOrTooLong_ListedAtStart(double seconds)
    {
        var options = new MlToolkitServingOptions { RequestBodyTimeout = TimeSpan.FromSeconds(seconds) };
        options.AddModel(Model, fixture.Store);

        string problem = Assert.Single(options.Validate());

        Assert.StartsWith($"Serving: RequestBodyTimeout is {TimeSpan.FromSeconds(seconds)}; it must be positive", problem, StringComparison.Ordinal);
        Assert.Contains("Timeout.InfiniteTimeSpan", problem, StringComparison.Ordinal);
        Assert.Empty(new MlToolkitServingOptions { RequestBodyTimeout = Timeout.InfiniteTimeSpan }.AddModel(Model, fixture.Store).Validate());
        Assert.Equal(TimeSpan.FromSeconds(30), new MlToolkitServingOptions().RequestBodyTimeout);
    }

    private static void AssertNoErrorLogged(LogCapture logs)
    {
        LogEntry[] errors = [.. logs.Entries.Where(e => e.Level >= LogLevel.Error)];
        if (errors.Length > 0)
        {
            Assert.Fail($"{errors.Length} error entries, the first: {errors[0]}");
        }
    }

    private static Task<HttpResponseMessage> SendAsync(ServingServer server, byte[] body, string contentType, string model = Model)
    {
        var content = new ByteArrayContent(body);
        content.Headers.Remove("Content-Type");
        Assert.True(content.Headers.TryAddWithoutValidation("Content-Type", contentType));
        return server.Client.PostAsync($"/models/{model}/predict", content, Ct);
    }

    private static (string, byte[], int) Case(string what, string before, byte[] bad, string after)
    {
        byte[] head = Encoding.UTF8.GetBytes(before);
        return (what, [.. head, .. bad, .. Encoding.UTF8.GetBytes(after)], head.Length);
    }

    private static byte[] Bytes(string before, byte[] bad, string after) => [.. Encoding.UTF8.GetBytes(before), .. bad, .. Encoding.UTF8.GetBytes(after)];
}

/// <summary>One captured log entry.</summary>
internal sealed record LogEntry(string Category, LogLevel Level, int EventId, string Message, Exception? Exception);

/// <summary>A log provider that keeps every entry with its category, level and event id.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => entries.Enqueue(new LogEntry(category, logLevel, eventId.Id, formatter(state, exception), exception));
    }
}

/// <summary>The serving metrics of one model: the status of each counted error and the outcome of each request.</summary>
internal sealed class ServingMetrics : IDisposable
{
    /// <summary>The status the errors counter gives a request whose client went away (nginx's 499, "client closed request").</summary>
    public const int ClientClosedRequest = 499;

    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<int> _errors = new();
    private readonly ConcurrentQueue<string> _outcomes = new();

    public ServingMetrics(string model)
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ServingTelemetry.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            if (instrument.Name == "mltoolkit.prediction.errors" && Tag(tags, "model") as string == model)
            {
                _errors.Enqueue(Convert.ToInt32(Tag(tags, "status"), System.Globalization.CultureInfo.InvariantCulture));
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            if (instrument.Name == "mltoolkit.prediction.duration" && Tag(tags, "model") as string == model)
            {
                _outcomes.Enqueue((string)Tag(tags, "outcome")!);
            }
        });
        _listener.Start();
    }

    public IReadOnlyList<int> Errors => [.. _errors];

    public IReadOnlyList<string> Outcomes => [.. _outcomes];

    /// <summary>Waits (up to a minute) until <paramref name="count"/> errors with <paramref name="status"/> are counted.</summary>
    public async Task WaitForAsync(int status, int count)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        while (_errors.Count(e => e == status) < count)
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>Waits (up to a minute) until an error is counted.</summary>
    public async Task WaitForAnyAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        while (_errors.IsEmpty)
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    public void Dispose() => _listener.Dispose();

    private static object? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
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

/// <summary>
/// Says when a request that carries a probe header reaches the application (a middleware ahead of the endpoints), so a
/// test can close its socket knowing the endpoint runs, without a sleep that assumes the machine is fast.
/// </summary>
internal sealed class Arrivals : IStartupFilter
{
    public const string Header = "X-Test-Probe";

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _arrived = new(StringComparer.Ordinal);

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, following) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out Microsoft.Extensions.Primitives.StringValues probe))
            {
                Arrival(probe.ToString()).TrySetResult();
            }

            return following(context);
        });
        next(app);
    };

    /// <summary>Waits (up to a minute) until the request with <paramref name="probe"/> has reached the application.</summary>
    public Task WaitAsync(string probe) => Arrival(probe).Task.WaitAsync(TimeSpan.FromMinutes(1), Ct);

    private TaskCompletionSource Arrival(string probe) => _arrived.GetOrAdd(probe, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>A response read off a raw socket.</summary>
internal sealed record RawResponse(int Status, string Head, string Body)
{
    public override string ToString() => $"{Head}\n{Body}";
}

/// <summary>HTTP/1.1 by hand, for what HttpClient cannot send: half a body, then silence or a closed socket.</summary>
internal static class RawHttp
{
    public static async Task<Socket> OpenAsync(ServingServer server)
    {
        Uri address = server.Client.BaseAddress!;
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, address.Port, Ct);
        return socket;
    }

    public static byte[] Head(string model, long contentLength, string? probe = null)
        => Encoding.ASCII.GetBytes($"POST /models/{model}/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {contentLength}\r\n{(probe is null ? "" : $"{Arrivals.Header}: {probe}\r\n")}\r\n");

    /// <summary>Closes the socket: with a FIN, or (<paramref name="reset"/>) with a RST.</summary>
    public static void Close(Socket socket, bool reset)
    {
        if (reset)
        {
            socket.LingerState = new LingerOption(true, 0);
        }

        socket.Close();
    }

    /// <summary>Reads one response: its head, then a Content-Length or chunked body, or to the end of the connection; waits up to a minute.</summary>
    public static async Task<RawResponse> ReadAsync(Socket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        var received = new List<byte>();
        byte[] buffer = new byte[4096];
        int headEnd = -1;
        while (true)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            received.AddRange(buffer.AsSpan(0, read));
            byte[] all = [.. received];
            headEnd = headEnd >= 0 ? headEnd : all.AsSpan().IndexOf("\r\n\r\n"u8);
            if (headEnd >= 0 && BodyOf(all, headEnd) is { } done)
            {
                string head = Encoding.ASCII.GetString(all, 0, headEnd);
                return new RawResponse(int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), head, done);
            }

            if (read == 0)
            {
                throw new InvalidOperationException($"The connection closed before a whole response came: '{Encoding.ASCII.GetString(all)}'.");
            }
        }
    }

    /// <summary>The body once all of it has come, or <see langword="null"/>.</summary>
    private static string? BodyOf(byte[] all, int headEnd)
    {
        string head = Encoding.ASCII.GetString(all, 0, headEnd);
        int start = headEnd + 4;
        string[] lines = head.Split("\r\n");
        string? length = lines.FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))?.Split(':')[1].Trim();
        if (length is not null)
        {
            int n = int.Parse(length, System.Globalization.CultureInfo.InvariantCulture);
            return all.Length - start >= n ? Encoding.UTF8.GetString(all, start, n) : null;
        }

        if (lines.Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && l.Contains("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            var body = new List<byte>();
            int at = start;
            while (true)
            {
                int lineEnd = all.AsSpan(at).IndexOf("\r\n"u8);
                if (lineEnd < 0)
                {
                    return null;
                }

                int size = int.Parse(Encoding.ASCII.GetString(all, at, lineEnd).Split(';')[0], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                at += lineEnd + 2;
                if (size == 0)
                {
                    return Encoding.UTF8.GetString([.. body]);
                }

                if (all.Length < at + size + 2)
                {
                    return null;
                }

                body.AddRange(all.AsSpan(at, size));
                at += size + 2;
            }
        }

        return Encoding.UTF8.GetString(all, start, all.Length - start);
    }
}
