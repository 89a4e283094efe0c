using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MlToolkit.Data;
using MlToolkit.Internal;
using Polly;
using Polly.Retry;

namespace MlToolkit.Extraction.Http;

/// <summary>
/// Reads records from an HTTP JSON API: one array, or pages linked by a next URL, a cursor or a page number (see
/// <see cref="HttpJsonSourceOptions"/>). The <see cref="HttpClient"/> is the host's, so it can come from
/// <c>IHttpClientFactory</c> with its own handlers. Requests that fail with 408, 429 or 5xx, or that cannot connect, are
/// retried with Polly (exponential backoff with jitter, <c>Retry-After</c> honoured up to a limit). Every response is
/// checked before it is parsed: status, JSON content type and size.
/// </summary>
/// <remarks>
/// The source's <see cref="Name"/>, logs and errors show URLs without their query string (which may hold keys), and never
/// the headers that <see cref="HttpJsonSourceOptions.Headers"/> adds.
/// </remarks>
public sealed class HttpJsonDataSource : DataSourceBase
{
    private readonly HttpClient _client;
    private readonly Uri _first;

    /// <summary>Creates the source.</summary>
    /// <param name="client">The client; not disposed by the source.</param>
    /// <param name="options">The options.</param>
    public HttpJsonDataSource(HttpClient client, HttpJsonSourceOptions options)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _first = options.Url!.IsAbsoluteUri
            ? options.Url
            : new Uri(client.BaseAddress ?? throw new ArgumentException($"The Url '{options.Url}' is relative and the HttpClient has no BaseAddress.", nameof(options)), options.Url);
        Name = "GET " + Display(_first);
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <summary>The options.</summary>
    public HttpJsonSourceOptions Options { get; }

    /// <summary>A URL for messages: without its query string and user information.</summary>
    internal static string Display(Uri url) => url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped) + (url.Query.Length > 1 ? "?…" : string.Empty);

    /// <summary>The delay a response asks for in <c>Retry-After</c> (seconds or an HTTP date), or <see langword="null"/>.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        RetryConditionHeaderValue? header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            TimeSpan wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <inheritdoc />
    protected override async Task<ExtractedData> ExtractCoreAsync(ExtractionContext context, CancellationToken cancellationToken)
    {
        var builder = new JsonColumnsBuilder(Options, Name);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Uri? next = Options.Paging == HttpPaging.PageNumber ? WithQuery(_first, Options.PageParameter, Options.FirstPage.ToString(CultureInfo.InvariantCulture)) : _first;
        int page = 0;
        long record = 0;
        while (next is not null)
        {
            if (++page > Options.MaxPages)
            {
                throw new DataSourceException(Name, $"{Name}: more than {Options.MaxPages} pages (MaxPages). Raise MaxPages if that many are expected; otherwise the API's paging does not end.");
            }

            Uri url = next;
            (byte[] body, HttpResponseHeaders headers) = await FetchAsync(url, context.Logger, cancellationToken).ConfigureAwait(false);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException ex)
            {
                throw new DataSourceException(Name, $"{Name}: page {page} ({Display(url)}) is not valid JSON: {ex.Message}", innerException: ex);
            }

            using (document)
            {
                JsonElement records = Find(document.RootElement, Options.RecordsPath, page, url);
                if (records.ValueKind != JsonValueKind.Array)
                {
                    throw new DataSourceException(Name, $"{Name}: page {page} ({Display(url)}) has {(Options.RecordsPath is null ? "a root" : $"'{Options.RecordsPath}'")} that is not an array; set RecordsPath to the records' path.");
                }

                int count = 0;
                foreach (JsonElement element in records.EnumerateArray())
                {
                    builder.Add(element, record++);
                    count++;
                }

                context.RowsRead?.Report(record);
                next = Options.Paging switch
                {
                    HttpPaging.NextLink => NextLink(document.RootElement, headers, url, page),
                    HttpPaging.Cursor => Text(document.RootElement, Options.CursorPath) is { Length: > 0 } cursor ? WithQuery(_first, Options.CursorParameter, cursor) : null,
                    HttpPaging.PageNumber => count == 0 ? null : WithQuery(_first, Options.PageParameter, (Options.FirstPage + page).ToString(CultureInfo.InvariantCulture)),
                    _ => null,
                };
            }

            // A next link or cursor seen before would read the same pages forever.
            seen.Add(url.AbsoluteUri);
            if (next is not null && seen.Contains(next.AbsoluteUri))
            {
                throw new DataSourceException(Name, $"{Name}: page {page} points to {(Options.Paging == HttpPaging.Cursor ? "a cursor" : "a page")} that was already read ({Display(next)}); the API's paging loops, so the read stops.");
            }
        }

        return new ExtractedData(builder.Build());
    }

    private async Task<(byte[] Body, HttpResponseHeaders Headers)> FetchAsync(Uri url, ILogger logger, CancellationToken cancellationToken)
    {
        int retries = 0;
        ResiliencePipeline<HttpResponseMessage> pipeline = Pipeline(logger, url, () => retries++);
        HttpResponseMessage response = await pipeline.ExecuteAsync(async ct =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (Options.Headers is not null)
            {
                foreach ((string header, string value) in await Options.Headers(ct).ConfigureAwait(false))
                {
                    request.Headers.TryAddWithoutValidation(header, value);
                }
            }

            return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        using (response)
        {
            string after = retries > 0 ? $" after {retries} retr{(retries == 1 ? "y" : "ies")}" : string.Empty;
            string? mediaType = response.Content.Headers.ContentType?.MediaType;
            long? length = response.Content.Headers.ContentLength;
            if (!response.IsSuccessStatusCode)
            {
                TimeSpan? wait = RetryAfter(response, Options.TimeProvider);
                string advice = wait > Options.MaxRetryDelay
                    ? $" The server asked to wait {wait.Value.TotalSeconds:0} s (Retry-After), more than MaxRetryDelay ({Options.MaxRetryDelay.TotalSeconds:0} s)."
                    : string.Empty;
                throw new DataSourceException(Name, $"{Name}: HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {Display(url)}{after}; the body is {mediaType ?? "of no stated type"}{(length is { } l ? $", {l} bytes" : string.Empty)}.{advice}");
            }

            if (mediaType is null || !(mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase) || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)))
            {
                throw new DataSourceException(Name, $"{Name}: {Display(url)} answered {(int)response.StatusCode} with {mediaType ?? "no content type"}{after}, not JSON; the URL may be a web page, a login page or an error page.");
            }

            if (length > Options.MaxResponseBytes)
            {
                throw new DataSourceException(Name, $"{Name}: {Display(url)} sent {length} bytes, more than MaxResponseBytes ({Options.MaxResponseBytes}); raise the limit or ask for smaller pages.");
            }

            byte[] body = await ReadLimitedAsync(response.Content, url, cancellationToken).ConfigureAwait(false);
            if (body.Length == 0)
            {
                throw new DataSourceException(Name, $"{Name}: {Display(url)} answered {(int)response.StatusCode} with an empty body where JSON records were expected.");
            }

            return (body, response.Headers);
        }
    }

    private async Task<byte[]> ReadLimitedAsync(HttpContent content, Uri url, CancellationToken cancellationToken)
    {
        Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            byte[] chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > Options.MaxResponseBytes)
                {
                    throw new DataSourceException(Name, $"{Name}: {Display(url)} sent more than MaxResponseBytes ({Options.MaxResponseBytes} bytes); raise the limit or ask for smaller pages.");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private ResiliencePipeline<HttpResponseMessage> Pipeline(ILogger logger, Uri url, Action retried)
    {
        if (Options.MaxRetries == 0)
        {
            return ResiliencePipeline<HttpResponseMessage>.Empty;
        }

        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = Options.TimeProvider }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = Options.RetryDelay,
                MaxDelay = Options.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException } => true,
                    { Exception: TaskCanceledException } => !args.Context.CancellationToken.IsCancellationRequested, // the client's timeout
                    { Result: { } r } => IsTransient(r.StatusCode) && !(RetryAfter(r, Options.TimeProvider) > Options.MaxRetryDelay),
                    _ => false,
                }),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } r ? RetryAfter(r, Options.TimeProvider) : null),
                OnRetry = args =>
                {
                    retried();
                    string outcome = args.Outcome.Result is { } r ? $"HTTP {(int)r.StatusCode}" : args.Outcome.Exception?.GetType().Name ?? "failure";
                    Diagnostics.HttpRetry(logger, Display(url), outcome, args.RetryDelay.TotalMilliseconds, args.AttemptNumber + 1, Options.MaxRetries);
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .Build();
    }

    private static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private JsonElement Find(JsonElement root, string? path, int page, Uri url)
    {
        if (string.IsNullOrEmpty(path))
        {
            return root;
        }

        JsonElement current = root;
        foreach (string part in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                throw new DataSourceException(Name, $"{Name}: page {page} ({Display(url)}) has no '{path}' (RecordsPath); its top-level fields are: {string.Join(", ", root.ValueKind == JsonValueKind.Object ? root.EnumerateObject().Select(p => p.Name) : ["(not an object)"])}.");
            }
        }

        return current;
    }

    private static string? Text(JsonElement root, string path)
    {
        JsonElement current = root;
        foreach (string part in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }

        return current.ValueKind == JsonValueKind.String ? current.GetString() : current.ValueKind == JsonValueKind.Number ? current.GetRawText() : null;
    }

    private Uri? NextLink(JsonElement root, HttpResponseHeaders headers, Uri current, int page)
    {
        string? link = Options.NextLinkPath is { Length: > 0 } path ? Text(root, path) : null;
        if (string.IsNullOrEmpty(link) && headers.TryGetValues("Link", out IEnumerable<string>? values))
        {
            link = values.SelectMany(v => v.Split(',')).Select(ParseLink).FirstOrDefault(l => l is not null);
        }

        if (string.IsNullOrEmpty(link))
        {
            return null;
        }

        return Uri.TryCreate(current, link, out Uri? next) && next.Scheme is "http" or "https"
            ? next
            : throw new DataSourceException(Name, $"{Name}: page {page} gives a next link that is not an HTTP URL.");
    }

    /// <summary>The URL of an RFC 8288 link with <c>rel="next"</c>, or <see langword="null"/>.</summary>
    private static string? ParseLink(string link)
    {
        string[] parts = link.Split(';');
        string target = parts[0].Trim();
        bool isNext = parts.Skip(1).Any(p => p.Trim().Replace(" ", string.Empty, StringComparison.Ordinal).Equals("rel=\"next\"", StringComparison.OrdinalIgnoreCase) || p.Trim().Equals("rel=next", StringComparison.OrdinalIgnoreCase));
        return isNext && target.StartsWith('<') && target.EndsWith('>') ? target[1..^1] : null;
    }

    /// <summary><paramref name="url"/> with the query parameter <paramref name="name"/> set to <paramref name="value"/> (replaced if present).</summary>
    internal static Uri WithQuery(Uri url, string name, string value)
    {
        var pairs = url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !Uri.UnescapeDataString(p.Split('=')[0]).Equals(name, StringComparison.Ordinal))
            .Append($"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}");
        return new UriBuilder(url) { Query = string.Join('&', pairs) }.Uri;
    }
}
