using MlToolkit.Data;
using MlToolkit.Internal;

namespace MlToolkit.Extraction.Http;

/// <summary>How an HTTP API hands out its records page by page.</summary>
public enum HttpPaging
{
    /// <summary>One response holds every record.</summary>
    None,

    /// <summary>Each page names the URL of the next one (<see cref="HttpJsonSourceOptions.NextLinkPath"/>, or an RFC 8288 <c>Link: &lt;…&gt;; rel="next"</c> header); no link ends the paging.</summary>
    NextLink,

    /// <summary>Each page gives a cursor (<see cref="HttpJsonSourceOptions.CursorPath"/>) that the next request sends as <see cref="HttpJsonSourceOptions.CursorParameter"/>; no cursor ends the paging.</summary>
    Cursor,

    /// <summary>Pages are numbered (<see cref="HttpJsonSourceOptions.PageParameter"/> from <see cref="HttpJsonSourceOptions.FirstPage"/>); a page with no records ends the paging.</summary>
    PageNumber,
}

/// <summary>What the source does when a record lacks a field that other records have.</summary>
public enum MissingFieldHandling
{
    /// <summary>The value is missing: <see cref="float.NaN"/> for a number, <see langword="null"/> for text (a boolean cannot be missing, so that stops the read).</summary>
    Missing,

    /// <summary>Stop with a <see cref="DataSourceException"/> naming the record and the field.</summary>
    Fail,
}

/// <summary>How field names of different records are matched into columns.</summary>
public enum FieldNameMatching
{
    /// <summary>
    /// Exactly. Two names that differ only in case (<c>amount</c> and <c>Amount</c>) stop the read, naming both, rather than
    /// silently making two columns.
    /// </summary>
    Exact,

    /// <summary>Ignoring case: such names make one column, named as first seen.</summary>
    IgnoreCase,
}

/// <summary>Options of <see cref="HttpJsonDataSource"/>. Validated when the source is created.</summary>
/// <remarks>
/// <para>Records are JSON objects. Numbers become <see cref="ColumnKind.Number"/> (32-bit float), <c>true</c>/<c>false</c>
/// become <see cref="ColumnKind.Boolean"/>, strings become <see cref="ColumnKind.Text"/>; a field's kind is that of its
/// first non-null value, or <see cref="ColumnTypes"/>. A nested object is flattened into <c>parent.child</c> columns; an
/// array stops the read, naming the field. <c>null</c> is missing. A value of another kind than its column's (a string in a
/// number column) stops the read, naming the record (0-based, across pages) and the field.</para>
/// <para>Responses are checked before they are parsed: the status (after retries), the content type (JSON only) and the
/// size (<see cref="MaxResponseBytes"/>). Paging stops at <see cref="MaxPages"/>, and a next link or cursor that repeats
/// stops it with an error instead of looping forever.</para>
/// </remarks>
public sealed class HttpJsonSourceOptions
{
    /// <summary>The first page's URL, absolute or relative to the client's <c>BaseAddress</c>.</summary>
    /// <value>The default value is <see langword="null"/>; a URL is required.</value>
    public Uri? Url { get; set; }

    /// <summary>The dot-separated path of the records array in each response (<c>data</c>, <c>result.items</c>), or <see langword="null"/> when the response is the array itself.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? RecordsPath { get; set; }

    /// <summary>How the API pages.</summary>
    /// <value>The default value is <see cref="HttpPaging.None"/>.</value>
    public HttpPaging Paging { get; set; } = HttpPaging.None;

    /// <summary>For <see cref="HttpPaging.NextLink"/>: the dot-separated path of the next page's URL in a response; without it (or when absent or null there), the <c>Link</c> header is used.</summary>
    /// <value>The default value is <c>next</c>.</value>
    public string? NextLinkPath { get; set; } = "next";

    /// <summary>For <see cref="HttpPaging.Cursor"/>: the dot-separated path of the next cursor in a response.</summary>
    /// <value>The default value is <c>next_cursor</c>.</value>
    public string CursorPath { get; set; } = "next_cursor";

    /// <summary>For <see cref="HttpPaging.Cursor"/>: the query parameter that carries the cursor.</summary>
    /// <value>The default value is <c>cursor</c>.</value>
    public string CursorParameter { get; set; } = "cursor";

    /// <summary>For <see cref="HttpPaging.PageNumber"/>: the query parameter that carries the page number.</summary>
    /// <value>The default value is <c>page</c>.</value>
    public string PageParameter { get; set; } = "page";

    /// <summary>For <see cref="HttpPaging.PageNumber"/>: the first page's number.</summary>
    /// <value>The default value is 1.</value>
    public int FirstPage { get; set; } = 1;

    /// <summary>The most pages read; one more stops the read with an error (a paging bug, or more data than expected).</summary>
    /// <value>The default value is 10,000.</value>
    public int MaxPages { get; set; } = 10_000;

    /// <summary>The largest response body accepted, in bytes; a larger one stops the read before it is parsed.</summary>
    /// <value>The default value is 64 MiB.</value>
    public long MaxResponseBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How many times a request is retried after a 408, 429, 5xx response or a connection failure.</summary>
    /// <value>The default value is 4.</value>
    public int MaxRetries { get; set; } = 4;

    /// <summary>The first retry's delay when the server sends no <c>Retry-After</c>; it doubles at each retry, with jitter.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait accepted: a <c>Retry-After</c> beyond it stops the read, saying how long the server asked to wait.</summary>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gives the headers each request carries, such as <c>Authorization</c>; called before every request (so a token can be
    /// refreshed). Header values never appear in logs or errors.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (no extra headers).</value>
    public Func<CancellationToken, ValueTask<IReadOnlyDictionary<string, string>>>? Headers { get; set; }

    /// <summary>What a record without one of the fields becomes.</summary>
    /// <value>The default value is <see cref="MissingFieldHandling.Missing"/>.</value>
    public MissingFieldHandling MissingFields { get; set; } = MissingFieldHandling.Missing;

    /// <summary>How field names are matched.</summary>
    /// <value>The default value is <see cref="FieldNameMatching.Exact"/>.</value>
    public FieldNameMatching FieldNames { get; set; } = FieldNameMatching.Exact;

    /// <summary>Column kinds given explicitly, by field name (flattened names for nested fields). A string field read as <see cref="ColumnKind.Number"/> is parsed with the invariant culture.</summary>
    /// <value>The default value is empty.</value>
    public IDictionary<string, ColumnKind> ColumnTypes { get; } = new Dictionary<string, ColumnKind>(StringComparer.Ordinal);

    /// <summary>The clock that retry delays wait on.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is not valid; the message lists every problem.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (Url is null)
        {
            problems.Add("Url is not set; give the first page's URL.");
        }

        if (MaxPages < 1)
        {
            problems.Add($"MaxPages is {MaxPages}; it must be at least 1.");
        }

        if (MaxResponseBytes < 1)
        {
            problems.Add($"MaxResponseBytes is {MaxResponseBytes}; it must be at least 1.");
        }

        if (MaxRetries < 0)
        {
            problems.Add($"MaxRetries is {MaxRetries}; it cannot be negative.");
        }

        if (RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay)
        {
            problems.Add($"RetryDelay ({RetryDelay}) must be positive and no more than MaxRetryDelay ({MaxRetryDelay}).");
        }

        if (Paging == HttpPaging.Cursor && (string.IsNullOrWhiteSpace(CursorPath) || string.IsNullOrWhiteSpace(CursorParameter)))
        {
            problems.Add("Cursor paging needs CursorPath and CursorParameter.");
        }

        if (Paging == HttpPaging.PageNumber && string.IsNullOrWhiteSpace(PageParameter))
        {
            problems.Add("Page-number paging needs PageParameter.");
        }

        if (TimeProvider is null)
        {
            problems.Add("TimeProvider cannot be null.");
        }

        Guard.ThrowIfProblems(ColumnTypes, "a JSON field", "HTTP JSON source", problems);
    }
}
