using Microsoft.Extensions.Logging;
using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Http;
using MlToolkit.Pipeline;
using MlToolkit.Training;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Extraction.Http;

/// <summary>The HTTP JSON source against a real Kestrel server on a loopback port (see <see cref="JsonApiServer"/>).</summary>
public class HttpJsonSourceTests(JsonApiServer server) : IClassFixture<JsonApiServer>
{
    private async Task<DataTable> ReadAsync(string url, Action<HttpJsonSourceOptions>? configure = null, ExtractionContext? context = null)
    {
        var options = new HttpJsonSourceOptions { Url = new Uri(url, UriKind.Relative), TimeProvider = new InstantDelays() };
        configure?.Invoke(options);
        using HttpClient client = server.Client();
        ExtractedData data = await new HttpJsonDataSource(client, options).ExtractAsync(context ?? ExtractionContext.Standalone(), Ct);
        return Assert.IsType<DataTable>(data.Data);
    }

    private Task<DataSourceException> FailsAsync(string url, Action<HttpJsonSourceOptions>? configure = null)
        => Assert.ThrowsAsync<DataSourceException>(() => ReadAsync(url, configure));

    private static float[] Numbers(DataTable table, string column) => ((NumberColumn)table.FindColumn(column)!).Values;

    private static IEnumerable<string?> Texts(DataTable table, string column) => ((TextColumn)table.FindColumn(column)!).Values;

    private static string Key() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Extract_Array_BecomesTypedColumns()
    {
        DataTable table = await ReadAsync("/customers");

        Assert.Equal(["id", "tenure", "plan", "autopay", "churned"], table.Columns.Select(c => c.Name));
        Assert.Equal([ColumnKind.Number, ColumnKind.Number, ColumnKind.Text, ColumnKind.Boolean, ColumnKind.Text], table.Columns.Select(c => c.Kind));
        Assert.Equal([0f, 1, 2, 3, 4], Numbers(table, "id"));
        Assert.Equal([true, false, true, false, true], ((BooleanColumn)table.FindColumn("autopay")!).Values);
    }

    [Fact]
    public async Task Extract_RecordsPath_FindsTheNestedArrayAndNamesTheFieldsWhenWrong()
    {
        DataTable table = await ReadAsync("/wrapped", o => o.RecordsPath = "data.items");
        var ex = await FailsAsync("/wrapped", o => o.RecordsPath = "data.rows");

        Assert.Equal(4, table.RowCount);
        Assert.Contains("has no 'data.rows' (RecordsPath); its top-level fields are: data, total", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/next", HttpPaging.NextLink, "items", 30)]
    [InlineData("/link", HttpPaging.NextLink, null, 21)]
    [InlineData("/cursor", HttpPaging.Cursor, "records", 25)]
    [InlineData("/numbered", HttpPaging.PageNumber, null, 18)]
    public async Task Extract_Paged_ReadsEveryPageInOrder(string url, HttpPaging paging, string? recordsPath, int expected)
    {
        var reports = new List<long>();
        var context = new ExtractionContext(new Microsoft.ML.MLContext(1), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance) { RowsRead = new SyncProgress<long>(reports.Add) };

        DataTable table = await ReadAsync(url, o =>
        {
            o.Paging = paging;
            o.RecordsPath = recordsPath;
            o.CursorPath = "meta.next_cursor";
            o.NextLinkPath = url == "/link" ? null : "next";
        }, context);

        Assert.Equal(Enumerable.Range(0, expected).Select(i => (float)i), Numbers(table, "id"));
        Assert.Equal(expected, reports[^1]);
    }

    [Fact]
    public async Task Extract_429WithRetryAfter_WaitsWhatTheServerAsksAndSucceeds()
    {
        string key = Key();
        var clock = new InstantDelays();

        DataTable table = await ReadAsync($"/throttled?key={key}&fails=2&wait=3", o => o.TimeProvider = clock);

        Assert.Equal(3, table.RowCount);
        Assert.Equal(3, server.Calls("/throttled", key));
        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)], clock.Delays);
    }

    [Fact]
    public async Task Extract_RetryAfterBeyondTheLimit_FailsAtOnceSayingHowLongTheServerAsked()
    {
        string key = Key();

        var ex = await FailsAsync($"/throttled?key={key}&fails=5&wait=3600", o => o.MaxRetryDelay = TimeSpan.FromSeconds(60));

        Assert.Equal(1, server.Calls("/throttled", key));
        Assert.Contains("HTTP 429", ex.Message, StringComparison.Ordinal);
        Assert.Contains("asked to wait 3600 s (Retry-After), more than MaxRetryDelay (60 s)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_503ThenOk_RetriesWithBackoffAndLogsEachRetry()
    {
        string key = Key();
        var clock = new InstantDelays();
        var logs = new CollectingLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var context = new ExtractionContext(new Microsoft.ML.MLContext(1), factory.CreateLogger("test"));

        DataTable table = await ReadAsync($"/flaky?key={key}", o => o.TimeProvider = clock, context);

        Assert.Equal(2, table.RowCount);
        Assert.Equal(2, clock.Delays.Count);
        Assert.All(clock.Delays, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromSeconds(4)));
        Assert.Equal(2, logs.Events.Count(e => e.Id == 1017 && e.Message.Contains("after HTTP 503", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Extract_502WithHtml_FailsAfterTheRetriesWithoutDumpingThePage()
    {
        string key = Key();

        var ex = await FailsAsync($"/bad-gateway?key={key}", o => o.MaxRetries = 2);

        Assert.Equal(3, server.Calls("/bad-gateway", key));
        Assert.Contains("HTTP 502 Bad Gateway", ex.Message, StringComparison.Ordinal);
        Assert.Contains("after 2 retries; the body is text/html", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("nginx", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, ex.Message, StringComparison.Ordinal); // the query string is not shown
    }

    [Fact]
    public async Task Extract_HtmlWithStatus200_FailsAsNotJson()
    {
        var ex = await FailsAsync("/login");

        Assert.Contains("answered 200 with text/html", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_EmptyBody_FailsSayingSo()
    {
        var ex = await FailsAsync("/empty");

        Assert.Contains("an empty body where JSON records were expected", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "sent 1")]
    [InlineData(false, "sent more than MaxResponseBytes (100000 bytes)")]
    public async Task Extract_BodyOverTheLimit_FailsBeforeParsingWithOrWithoutContentLength(bool declared, string expected)
    {
        var ex = await FailsAsync($"/huge?declared={declared}", o => o.MaxResponseBytes = 100_000);

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_RepeatedCursor_StopsInsteadOfLoopingForever()
    {
        var ex = await FailsAsync("/loop", o => { o.Paging = HttpPaging.Cursor; o.RecordsPath = "records"; });

        Assert.Contains("page 2 points to a cursor that was already read", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_MorePagesThanTheCap_Fails()
    {
        var ex = await FailsAsync("/next", o => { o.Paging = HttpPaging.NextLink; o.RecordsPath = "items"; o.MaxPages = 2; });

        Assert.Contains("more than 2 pages (MaxPages)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_HeaderProvider_AuthenticatesEveryRequestAndIsNeverShown()
    {
        int asked = 0;
        var unauthorized = await FailsAsync("/secure");
        DataTable table = await ReadAsync("/secure", o => o.Headers = _ =>
        {
            Interlocked.Increment(ref asked);
            return ValueTask.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string> { ["Authorization"] = "Bearer token-123" });
        });

        Assert.Contains("HTTP 401", unauthorized.Message, StringComparison.Ordinal);
        Assert.Equal(3, table.RowCount);
        Assert.Equal(1, asked);
    }

    [Fact]
    public async Task Extract_NestedObjectsFlattenAndMissingFieldsAreMissing()
    {
        string url = server.Serve("""
            [{"id":1,"address":{"city":"Oslo","zip":150},"score":0.5},
             {"id":2,"address":{"city":null},"vip":"gold"},
             {"id":3,"score":null}]
            """);

        DataTable table = await ReadAsync(url);

        Assert.Equal(["id", "address.city", "address.zip", "score", "vip"], table.Columns.Select(c => c.Name));
        Assert.Equal(["Oslo", null, null], Texts(table, "address.city"));
        Assert.Equal(150f, Numbers(table, "address.zip")[0]);
        Assert.True(float.IsNaN(Numbers(table, "address.zip")[2]));
        Assert.True(float.IsNaN(Numbers(table, "score")[1]) && float.IsNaN(Numbers(table, "score")[2]));
        Assert.Equal([null, "gold", null], Texts(table, "vip"));
    }

    [Fact]
    public async Task Extract_MissingFieldsSetToFail_NamesRecordAndField()
    {
        string url = server.Serve("""[{"id":1,"x":2},{"id":2}]""");

        var ex = await FailsAsync(url, o => o.MissingFields = MissingFieldHandling.Fail);

        Assert.Equal(1, ex.Line);
        Assert.Equal("x", ex.Column);
    }

    [Fact]
    public async Task Extract_WrongTypeInAField_NamesRecordFieldAndWhatMadeTheColumn()
    {
        string url = server.Serve("""[{"amount":12.5},{"amount":3},{"amount":"n/a"}]""");

        var ex = await FailsAsync(url);

        Assert.Equal(2, ex.Line);
        Assert.Equal("amount", ex.Column);
        Assert.Contains("is a string, but the column holds Number (its first value, in record 0, made it Number)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_NumbersSentAsStrings_ParseWhenColumnTypesAsks()
    {
        string url = server.Serve("""[{"amount":"12.5"},{"amount":"3"},{"amount":null}]""");

        DataTable table = await ReadAsync(url, o => o.ColumnTypes["amount"] = ColumnKind.Number);

        Assert.Equal(12.5f, Numbers(table, "amount")[0]);
        Assert.True(float.IsNaN(Numbers(table, "amount")[2]));
    }

    [Fact]
    public async Task Extract_NamesDifferingOnlyInCase_FailUnlessMatchedIgnoringCase()
    {
        string url = server.Serve("""[{"Amount":1},{"amount":2}]""");

        var ex = await FailsAsync(url);
        DataTable table = await ReadAsync(url, o => o.FieldNames = FieldNameMatching.IgnoreCase);

        Assert.Contains("field 'amount': differs from the field 'Amount' only in case", ex.Message, StringComparison.Ordinal);
        Assert.Equal("Amount", Assert.Single(table.Columns).Name);
        Assert.Equal([1f, 2f], Numbers(table, "Amount"));
    }

    [Fact]
    public async Task Extract_ArraysAndNonObjects_FailNamingWhatAndWhere()
    {
        var array = await FailsAsync(server.Serve("""[{"id":1,"tags":["a","b"]}]"""));
        var scalar = await FailsAsync(server.Serve("""[{"id":1}, 7]"""));
        var notJson = await FailsAsync(server.Serve("""[{"id":1},"""));

        Assert.Contains("record 0, field 'tags': is an array", array.Message, StringComparison.Ordinal);
        Assert.Contains("record 1 is a number, not an object", scalar.Message, StringComparison.Ordinal);
        Assert.Contains("is not valid JSON", notJson.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_NullBoolean_FailsSayingHowToReadIt()
    {
        var ex = await FailsAsync(server.Serve("""[{"ok":true},{"ok":null}]"""));

        Assert.Equal(1, ex.Line);
        Assert.Contains("ColumnTypes[\"ok\"] = ColumnKind.Number", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extract_ClientFromIHttpClientFactory_UsesTheHostsConfiguredClient()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Microsoft.Extensions.DependencyInjection.HttpClientFactoryServiceCollectionExtensions.AddHttpClient(services, "crm", c => c.BaseAddress = server.BaseAddress);
        using Microsoft.Extensions.DependencyInjection.ServiceProvider provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);
        HttpClient client = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<IHttpClientFactory>(provider).CreateClient("crm");

        ExtractedData data = await new HttpJsonDataSource(client, new HttpJsonSourceOptions { Url = new Uri("/wrapped", UriKind.Relative), RecordsPath = "data.items" }).ExtractAsync(ExtractionContext.Standalone(), Ct);

        Assert.Equal(4, ((DataTable)data.Data).RowCount);
    }

    [Fact]
    public void Name_HidesTheQueryString()
    {
        using HttpClient client = server.Client();

        var source = new HttpJsonDataSource(client, new HttpJsonSourceOptions { Url = new Uri("/customers?api_key=SECRET&region=eu", UriKind.Relative) });

        Assert.Equal($"GET {server.BaseAddress}customers?…", source.Name);
    }

    [Fact]
    public async Task RunAsync_FromHttpJson_TrainsOnEveryPage()
    {
        using HttpClient client = server.Client();

        PipelineResult result = await new PipelineBuilder(2)
            .FromHttpJson(client, new HttpJsonSourceOptions { Url = new Uri("/huge?declared=true", UriKind.Relative) })
            .Label("churned")
            .Ignore("id")
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 20))
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.Equal(20_000, result.Rows);
        Assert.Equal("yes", result.ClassNames[1]);
        Assert.True(result.Metrics[Metric.Accuracy] > 0.7);
    }
}
