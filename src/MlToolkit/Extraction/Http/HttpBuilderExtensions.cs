using MlToolkit.Extraction.Http;
using MlToolkit.Pipeline;

namespace MlToolkit;

/// <summary>Builder verbs that read the data from an HTTP JSON API (see <see cref="HttpJsonDataSource"/>).</summary>
public static class HttpBuilderExtensions
{
    /// <summary>Reads one JSON response (an array, or an array at <paramref name="recordsPath"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="client">The client, such as one from <c>IHttpClientFactory</c>; not disposed by the pipeline.</param>
    /// <param name="url">The URL, absolute or relative to the client's <c>BaseAddress</c>.</param>
    /// <param name="recordsPath">The dot-separated path of the records array, or <see langword="null"/> when the response is the array.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder FromHttpJson(this PipelineBuilder builder, HttpClient client, string url, string? recordsPath = null)
        => builder.FromHttpJson(client, new HttpJsonSourceOptions { Url = new Uri(url, UriKind.RelativeOrAbsolute), RecordsPath = recordsPath });

    /// <summary>Reads a JSON API with full options (paging, retries, limits, headers).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="client">The client; not disposed by the pipeline.</param>
    /// <param name="options">The options.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder FromHttpJson(this PipelineBuilder builder, HttpClient client, HttpJsonSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.From(new HttpJsonDataSource(client, options));
    }
}
