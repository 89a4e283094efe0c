using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlToolkit.Tests.Extraction.Http;

/// <summary>
/// A real Kestrel server on a free loopback port that plays the JSON APIs the HTTP source meets: plain and wrapped arrays,
/// next-link, Link-header, cursor and page-number paging, 429 with <c>Retry-After</c>, 502 with an HTML page, empty and
/// oversized bodies, a cursor that repeats, a login page, a bearer-token check, and canned bodies that tests register.
/// Counters are per key (<c>?key=</c>), so that tests do not share them.
/// </summary>
public sealed class JsonApiServer : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, string> _canned = new();
    private readonly ConcurrentDictionary<string, int> _calls = new();
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>A client on the server.</summary>
    public HttpClient Client() => new() { BaseAddress = BaseAddress };

    /// <summary>Serves <paramref name="json"/> at the returned path.</summary>
    public string Serve(string json)
    {
        string key = Guid.NewGuid().ToString("N");
        _canned[key] = json;
        return $"/canned/{key}";
    }

    /// <summary>How many requests a path and key received.</summary>
    public int Calls(string path, string key) => _calls.GetValueOrDefault($"{path}|{key}");

    public async ValueTask InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();

        app.MapGet("/canned/{key}", (string key) => _canned.TryGetValue(key, out string? json) ? Results.Text(json, "application/json") : Results.NotFound());
        app.MapGet("/customers", () => Results.Text(Customers(0, 5), "application/json"));
        app.MapGet("/wrapped", () => Results.Text($$"""{"data":{"items":{{Customers(0, 4)}}},"total":4}""", "application/json; charset=utf-8"));
        app.MapGet("/next", (int? page) =>
        {
            int p = page ?? 1;
            string next = p < 3 ? $"\"/next?page={p + 1}\"" : "null";
            return Results.Text($$"""{"items":{{Customers((p - 1) * 10, 10)}},"next":{{next}}}""", "application/json");
        });
        app.MapGet("/link", (HttpContext context, int? page) =>
        {
            int p = page ?? 1;
            if (p < 3)
            {
                context.Response.Headers.Link = $"<{BaseAddress}link?page={p + 1}>; rel=\"next\", <{BaseAddress}link?page=1>; rel=\"first\"";
            }

            return Results.Text(Customers((p - 1) * 7, 7), "application/json");
        });
        app.MapGet("/cursor", (string? cursor) =>
        {
            int p = cursor is null ? 0 : int.Parse(cursor.AsSpan(1), CultureInfo.InvariantCulture);
            string next = p < 4 ? $"\"c{p + 1}\"" : "null";
            return Results.Text("{\"records\":" + Customers(p * 5, 5) + ",\"meta\":{\"next_cursor\":" + next + "}}", "application/json");
        });
        app.MapGet("/numbered", (int page, int? size) => Results.Text(page <= 3 ? Customers((page - 1) * 6, 6) : "[]", "application/json"));
        app.MapGet("/throttled", (HttpContext context, string key, int fails, int? wait) =>
        {
            if (Count("/throttled", key) <= fails)
            {
                context.Response.Headers.RetryAfter = (wait ?? 2).ToString(CultureInfo.InvariantCulture);
                return Results.StatusCode(429);
            }

            return Results.Text(Customers(0, 3), "application/json");
        });
        app.MapGet("/bad-gateway", (string key) =>
        {
            Count("/bad-gateway", key);
            return Results.Content("<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>", "text/html", Encoding.UTF8, 502);
        });
        app.MapGet("/flaky", (string key) => Count("/flaky", key) <= 2 ? Results.StatusCode(503) : Results.Text(Customers(0, 2), "application/json"));
        app.MapGet("/empty", () => Results.Text(string.Empty, "application/json"));
        app.MapGet("/login", () => Results.Content("<html><form>Sign in</form></html>", "text/html"));
        app.MapGet("/huge", async (HttpContext context, bool declared) =>
        {
            byte[] body = Encoding.UTF8.GetBytes(Customers(0, 20_000));
            context.Response.ContentType = "application/json";
            if (declared)
            {
                context.Response.ContentLength = body.Length;
            }

            await context.Response.Body.WriteAsync(body);
        });
        app.MapGet("/loop", () => Results.Text($$"""{"records":{{Customers(0, 2)}},"next_cursor":"same"}""", "application/json"));
        app.MapGet("/secure", (HttpContext context) => context.Request.Headers.Authorization == "Bearer token-123"
            ? Results.Text(Customers(0, 3), "application/json")
            : Results.StatusCode(401));

        await app.StartAsync(TestContext.Current.CancellationToken);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        _app = app;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private int Count(string path, string key) => _calls.AddOrUpdate($"{path}|{key}", 1, (_, n) => n + 1);

    /// <summary><paramref name="count"/> customers from number <paramref name="from"/>: id, tenure, plan, autopay, churned.</summary>
    internal static string Customers(int from, int count)
        => "[" + string.Join(",", Enumerable.Range(from, count).Select(i =>
            $$"""{"id":{{i}},"tenure":{{(i * 7) % 60}},"plan":"{{(i % 3 == 0 ? "basic" : "pro")}}","autopay":{{(i % 2 == 0 ? "true" : "false")}},"churned":"{{(i % 4 == 0 ? "yes" : "no")}}"}""")) + "]";
}

/// <summary>A clock whose delays end at once, recording each one (so retry waits are checked without waiting).</summary>
internal sealed class InstantDelays : TimeProvider
{
    public ConcurrentQueue<TimeSpan> Delays { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            Delays.Enqueue(dueTime);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }

        return new NoTimer();
    }

    private sealed class NoTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => default;
    }
}
