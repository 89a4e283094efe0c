using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;

namespace MlToolkit.AspNetCore;

/// <summary>The request handlers behind <c>MapPredictionEndpoints</c>.</summary>
internal static partial class PredictionEndpoint
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true };

    internal static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() }, WriteIndented = false };

    /// <summary>
    /// The status the errors counter and the trace give a request whose client went away before it was answered (nginx's
    /// 499, "client closed request"): no response is sent, and it is not a fault of the server.
    /// </summary>
    internal const int ClientClosedRequest = 499;

    /// <summary><c>POST {prefix}/{name}/predict</c>.</summary>
    public static async Task PredictAsync(HttpContext context)
    {
        ModelServing serving = context.RequestServices.GetRequiredService<ModelServing>();
        ServingTelemetry telemetry = context.RequestServices.GetRequiredService<ServingTelemetry>();
        string name = context.Request.RouteValues["name"] as string ?? string.Empty;
        long started = telemetry.TimeProvider.GetTimestamp();
        using Activity? activity = ServingTelemetry.ActivitySource.StartActivity("MlToolkit.Predict");
        activity?.SetTag("mltoolkit.model", name);
        int status = StatusCodes.Status200OK;
        try
        {
            status = await HandleAsync(context, serving, telemetry, name, activity).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away while we read or answered: nobody to answer, and nothing wrong with the server.
            status = ClientClosedRequest;
            LogClientGone(serving.EndpointLogger, name, ex.Message);
        }
        catch (Exception ex)
        {
            // Never a stack trace in a response: the log has it, the client gets the trace id to find it.
            status = StatusCodes.Status500InternalServerError;
            LogFailed(serving.EndpointLogger, ex, name);
            if (!context.Response.HasStarted)
            {
                await ProblemAsync(context, status, "The prediction failed", "The server could not score the request; its log has the details under this trace id.", name).ConfigureAwait(false);
            }
        }
        finally
        {
            var model = new KeyValuePair<string, object?>("model", name);
            string outcome = status switch
            {
                StatusCodes.Status200OK => "success",
                ClientClosedRequest => "aborted",
                _ => "error",
            };
            telemetry.Duration.Record(telemetry.TimeProvider.GetElapsedTime(started).TotalSeconds, model, new KeyValuePair<string, object?>("outcome", outcome));
            if (status != StatusCodes.Status200OK)
            {
                telemetry.Errors.Add(1, model, new KeyValuePair<string, object?>("status", status));
                activity?.SetStatus(ActivityStatusCode.Error, status == ClientClosedRequest ? "The client went away before the answer." : null);
            }

            if (status != ClientClosedRequest)
            {
                activity?.SetTag("http.response.status_code", status);
            }
        }
    }

    private static async Task<int> HandleAsync(HttpContext context, ModelServing serving, ServingTelemetry telemetry, string name, Activity? activity)
    {
        MlToolkitServingOptions options = serving.Options;
        if (!serving.TryGet(name, out PredictionService? service))
        {
            return await ProblemAsync(context, StatusCodes.Status404NotFound, "No such model", $"No model named '{name}' is served; the served models are: {string.Join(", ", serving.Names)}.", name).ConfigureAwait(false);
        }

        if (service.Version is null)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(options.StartRetryInterval.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return await ProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Model not loaded yet", $"Model '{name}' is not loaded yet; try again shortly (readiness says when it is).", name).ConfigureAwait(false);
        }

        if (!IsJson(context.Request.ContentType, out StringSegment charset))
        {
            return await ProblemAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported content type", $"Send the row as JSON with Content-Type: application/json, not '{context.Request.ContentType ?? "(none)"}'.", name).ConfigureAwait(false);
        }

        if (charset.HasValue && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return await ProblemAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported charset", $"The charset '{charset}' is not supported: JSON is read as UTF-8 only (RFC 8259). Encode the body as UTF-8 and send Content-Type: application/json, or application/json; charset=utf-8.", name).ConfigureAwait(false);
        }

        long? declared = context.Request.ContentLength;
        if (declared > options.MaxRequestBodyBytes)
        {
            return await TooLargeAsync(context, options, name).ConfigureAwait(false);
        }

        // Read the body up to the limit (a body without Content-Length, chunked, is counted as it comes), within the timeout.
        using var body = new PooledBuffer(declared);
        BodyRead read;
        try
        {
            read = await body.ReadAsync(context.Request.BodyReader, options.MaxRequestBodyBytes, options.RequestBodyTimeout, telemetry.TimeProvider).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            // The server refused the body: its rate, its size or its framing. (Kestrel cancels RequestAborted as it does,
            // but the answer can still be sent.) A body that ended before its Content-Length is a client that went away.
            if (ex.StatusCode == StatusCodes.Status400BadRequest && body.Length < declared)
            {
                return ClientGone(context, serving, name, ex);
            }

            return await UnreadableAsync(context, ex, name).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException || (ex is OperationCanceledException && context.RequestAborted.IsCancellationRequested))
        {
            // The connection failed or was aborted under the body (a reset, say): nobody to answer.
            return ClientGone(context, serving, name, ex);
        }

        switch (read)
        {
            case BodyRead.TooLarge:
                return await TooLargeAsync(context, options, name).ConfigureAwait(false);
            case BodyRead.TimedOut:
                CloseAfterResponse(context);
                return await ProblemAsync(context, StatusCodes.Status408RequestTimeout, "Body too slow", $"The body did not all arrive within the {options.RequestBodyTimeout.TotalSeconds:0.###} s allowed ({body.Length:N0} of {(declared is { } d ? d.ToString("N0", System.Globalization.CultureInfo.CurrentCulture) : "an unknown number of")} bytes came); send it faster, or raise RequestBodyTimeout.", name, field: "(body)").ConfigureAwait(false);
        }

        // A UTF-8 byte-order mark is allowed (RFC 8259 lets a parser ignore it); anything else must be UTF-8 throughout, checked
        // here once for every path (names, text, batches, nested values) before the JSON reader meets it.
        int start = body.Memory.Span.StartsWith(Utf8Bom) ? Utf8Bom.Length : 0;
        int invalid = RequestReader.FindInvalidUtf8(body.Memory.Span[start..]);
        if (invalid >= 0)
        {
            string detail = RequestReader.DescribeInvalidUtf8(body.Memory.Span, start + invalid);
            return await ProblemAsync(context, StatusCodes.Status400BadRequest, "Not UTF-8", detail, name, field: "(body)", offset: start + invalid).ConfigureAwait(false);
        }

        try
        {
            ReadOnlySpan<byte> json = body.Memory.Span[start..];
            JsonTokenType root = RequestReader.RootKind(json);
            switch (root)
            {
                case JsonTokenType.StartObject:
                    {
                        // Read and scored without an await in between: the row dictionary is the thread's, reused.
                        Dictionary<string, object?> row = RequestReader.ReadSingle(json, service.Manifest);
                        Prediction prediction;
                        try
                        {
                            prediction = service.Predict(row);
                        }
                        finally
                        {
                            RequestReader.Release(row);
                        }

                        telemetry.Rows.Add(1, new KeyValuePair<string, object?>("model", name));
                        activity?.SetTag("mltoolkit.version", prediction.Version);
                        await WriteAsync(context, options, prediction.Version, w => Write(w, prediction, withVersion: true)).ConfigureAwait(false);
                        return StatusCodes.Status200OK;
                    }

                case JsonTokenType.StartArray:
                    {
                        int limit = Math.Min(options.MaxBatchSize, service.Options.MaxBatchSize);
                        List<IReadOnlyDictionary<string, object?>>? rows = RequestReader.ReadBatch(json, service.Manifest, limit, out int count);
                        if (rows is null)
                        {
                            return await ProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "Batch too large", $"The batch has {count} rows; at most {limit} are allowed in one request.", name, field: "(batch)").ConfigureAwait(false);
                        }

                        IReadOnlyList<Prediction> predictions = service.PredictBatch(rows);
                        int version = predictions.Count > 0 ? predictions[0].Version : service.Version ?? 0;
                        telemetry.Rows.Add(count, new KeyValuePair<string, object?>("model", name));
                        activity?.SetTag("mltoolkit.version", version);
                        activity?.SetTag("mltoolkit.rows", count);
                        await WriteAsync(context, options, version, w =>
                        {
                            w.WriteStartObject();
                            w.WriteNumber("version", version);
                            w.WriteStartArray("predictions");
                            foreach (Prediction p in predictions)
                            {
                                Write(w, p, withVersion: false);
                            }

                            w.WriteEndArray();
                            w.WriteEndObject();
                        }).ConfigureAwait(false);
                        return StatusCodes.Status200OK;
                    }

                default:
                    return await ProblemAsync(context, StatusCodes.Status400BadRequest, "Not a row", $"The body must be a JSON object (one row) or an array of objects (a batch), not {RequestReader.Kind(root)}.", name, field: "(body)").ConfigureAwait(false);
            }
        }
        catch (JsonException ex)
        {
            return await ProblemAsync(context, StatusCodes.Status400BadRequest, "Malformed JSON", $"The body is not valid JSON: {ex.Message}", name, field: "(body)").ConfigureAwait(false);
        }
        catch (PredictionInputException ex)
        {
            return await ProblemAsync(context, StatusCodes.Status400BadRequest, "The request does not match the model's inputs", ex.Message, name, ex.Field, ex.Row).ConfigureAwait(false);
        }
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// Whether the content type is JSON (<c>application/json</c> or a <c>+json</c> type, as <c>HasJsonContentType</c> decides),
    /// with its charset parameter unquoted (no value when there is none).
    /// </summary>
    private static bool IsJson(string? contentType, out StringSegment charset)
    {
        // The two forms nearly every client sends, without the microsecond a parse costs.
        charset = default;
        if (string.Equals(contentType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(contentType, "application/json; charset=utf-8", StringComparison.OrdinalIgnoreCase))
        {
            charset = "utf-8";
            return true;
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? type)
            || !(type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        charset = type.Charset.HasValue ? HeaderUtilities.RemoveQuotes(type.Charset) : default;
        return true;
    }

    /// <summary>
    /// Answers a body the server refused while it was read: too slow for its minimum data rate (408), larger than its
    /// <c>MaxRequestBodySize</c> (413), or badly framed (400).
    /// </summary>
    private static Task<int> UnreadableAsync(HttpContext context, BadHttpRequestException ex, string name)
    {
        switch (ex.StatusCode)
        {
            case StatusCodes.Status408RequestTimeout:
                CloseAfterResponse(context);
                return ProblemAsync(context, ex.StatusCode, "Body too slow", "The body arrived more slowly than the server's minimum data rate (Kestrel's MinRequestBodyDataRate); send it faster.", name, field: "(body)");
            case StatusCodes.Status413PayloadTooLarge:
                return ProblemAsync(context, ex.StatusCode, "Body too large", $"The body is larger than the server allows: {ex.Message}", name, field: "(body)");
            default:
                return ProblemAsync(context, ex.StatusCode, "Unreadable body", $"The request body could not be read: {ex.Message}", name, field: "(body)");
        }
    }

    /// <summary>
    /// Ends a request whose client went away mid-body: logged at Debug, and the connection aborted, because Kestrel would
    /// otherwise try to drain the rest of the body from a reader whose read failed, and log that as an error.
    /// </summary>
    private static int ClientGone(HttpContext context, ModelServing serving, string name, Exception ex)
    {
        LogClientGone(serving.EndpointLogger, name, ex.Message);
        context.Abort();
        return ClientClosedRequest;
    }

    /// <summary>Asks for the connection to close after the answer, when part of the body may still be on its way (HTTP/1.x only: later versions forbid the header).</summary>
    private static void CloseAfterResponse(HttpContext context)
    {
        if (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol))
        {
            context.Response.Headers.Connection = "close";
        }
    }

    [LoggerMessage(EventId = 2110, Level = LogLevel.Error, Message = "Prediction by '{Model}' failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string model);

    // Client errors are the client's to fix and the errors counter counts them by status: Debug, so that a flood of them
    // cannot fill a log at the usual Information level (and nothing per request needs rate limiting).
    [LoggerMessage(EventId = 2111, Level = LogLevel.Debug, Message = "Refused a request for '{Model}' with {Status} ({Title}): {Detail}")]
    private static partial void LogRefused(ILogger logger, string model, int status, string title, string detail);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Debug, Message = "The client of a request for '{Model}' went away before it was answered: {Reason}")]
    private static partial void LogClientGone(ILogger logger, string model, string reason);

    private static void Write(Utf8JsonWriter w, Prediction p, bool withVersion)
    {
        w.WriteStartObject();
        if (withVersion)
        {
            w.WriteNumber("version", p.Version);
        }

        if (p.PredictedLabel is { } label)
        {
            w.WriteString("predictedLabel", label);
        }

        WriteNumber(w, "score", p.Score);
        WriteNumber(w, "probability", p.Probability);
        if (p.ClassScores is { } classes)
        {
            w.WriteStartObject("classScores");
            foreach ((string c, float s) in classes)
            {
                WriteNumber(w, c, s);
            }

            w.WriteEndObject();
        }

        w.WriteStartArray("unseenCategories");
        foreach (string field in p.UnseenCategories)
        {
            w.WriteStringValue(field);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, float? value)
    {
        if (value is not { } v)
        {
            return;
        }

        if (float.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static async Task WriteAsync(HttpContext context, MlToolkitServingOptions options, int version, Action<Utf8JsonWriter> write)
    {
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers[options.VersionHeader] = VersionText(version);
        using (var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            write(writer);
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static readonly string[] SmallVersions = [.. Enumerable.Range(0, 256).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>The version as header text, without a string per response for the first 256 versions.</summary>
    private static string VersionText(int version) => (uint)version < (uint)SmallVersions.Length ? SmallVersions[version] : version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Task<int> TooLargeAsync(HttpContext context, MlToolkitServingOptions options, string name)
        => ProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body is larger than the {options.MaxRequestBodyBytes:N0} bytes allowed.", name, field: "(body)");

    /// <summary>Writes an RFC 9457 problem (through the host's problem-details service) and returns its status.</summary>
    internal static async Task<int> ProblemAsync(HttpContext context, int status, string title, string detail, string model, string? field = null, int? row = null, int? offset = null)
    {
        if (status < StatusCodes.Status500InternalServerError && context.RequestServices.GetService<ModelServing>() is { } serving)
        {
            LogRefused(serving.EndpointLogger, model, status, title, detail);
        }

        var extensions = new Dictionary<string, object?> { ["model"] = model };
        if (field is not null)
        {
            extensions["field"] = field;
        }

        if (row is not null)
        {
            extensions["row"] = row;
        }

        if (offset is not null)
        {
            extensions["offset"] = offset;
        }

        extensions["traceId"] = Activity.Current?.Id ?? context.TraceIdentifier;
        await Results.Problem(detail, statusCode: status, title: title, extensions: extensions).ExecuteAsync(context).ConfigureAwait(false);
        return status;
    }

    /// <summary><c>GET {prefix}/{name}</c>: the served version's manifest.</summary>
    public static Task DescribeAsync(HttpContext context)
    {
        ModelServing serving = context.RequestServices.GetRequiredService<ModelServing>();
        string name = context.Request.RouteValues["name"] as string ?? string.Empty;
        if (!serving.TryGet(name, out PredictionService? service))
        {
            return ProblemAsync(context, StatusCodes.Status404NotFound, "No such model", $"No model named '{name}' is served; the served models are: {string.Join(", ", serving.Names)}.", name);
        }

        if (service.Version is not { } version)
        {
            return ProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Model not loaded yet", $"Model '{name}' is not loaded yet.", name);
        }

        ModelManifest manifest = service.Manifest;
        context.Response.Headers[serving.Options.VersionHeader] = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Json(new ModelDescription(name, service.Options.Alias, manifest.Version, service.Reloads, service.UnseenCategories, manifest), ManifestJson).ExecuteAsync(context);
    }

    /// <summary><c>GET {prefix}</c>: every model and the version it serves.</summary>
    public static Task ListAsync(HttpContext context)
    {
        ModelServing serving = context.RequestServices.GetRequiredService<ModelServing>();
        var models = serving.Names.Select(n => serving.TryGet(n, out PredictionService? s) ? new ModelSummary(n, s.Options.Alias, s.Version, s.Version is not null) : new ModelSummary(n, null, null, false)).ToList();
        return Results.Json(models, ManifestJson).ExecuteAsync(context);
    }

    /// <summary>How reading a body ended.</summary>
    private enum BodyRead
    {
        /// <summary>All of it is in.</summary>
        Complete,

        /// <summary>It is larger than the limit (reading stopped there).</summary>
        TooLarge,

        /// <summary>It did not all come within the timeout.</summary>
        TimedOut,
    }

    /// <summary>A body read into pooled memory, up to a limit.</summary>
    private sealed class PooledBuffer(long? contentLength) : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(contentLength is > 0 and < 1 << 20 ? (int)contentLength + 1 : 4096);
        private int _length;

        public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

        /// <summary>The bytes read so far.</summary>
        public int Length => _length;

        /// <summary>
        /// Reads the whole body, stopping as soon as it exceeds <paramref name="limit"/> or <paramref name="timeout"/> passes.
        /// What is already buffered is taken without a timer (the usual small body); the timer starts at the first wait.
        /// </summary>
        /// <remarks>
        /// No cancellation token reaches the reads: a Kestrel body read cancelled by a token leaves its reader "in progress",
        /// and Kestrel's draining of the rest of the body then fails with an error in its log. The timeout cancels the
        /// pending read instead (<see cref="PipeReader.CancelPendingRead"/>), and a read ends by itself when the connection does.
        /// </remarks>
        /// <exception cref="BadHttpRequestException">The server refused the body (its rate, size or framing).</exception>
        /// <exception cref="IOException">The connection failed.</exception>
        public async Task<BodyRead> ReadAsync(PipeReader reader, long limit, TimeSpan timeout, TimeProvider clock)
        {
            CancellationTokenSource? timer = null;
            CancellationTokenRegistration cancelRead = default;
            try
            {
                bool first = true;
                while (true)
                {
                    if (!first || !reader.TryRead(out ReadResult result))
                    {
                        if (timer is null && timeout != Timeout.InfiniteTimeSpan)
                        {
                            timer = new CancellationTokenSource(timeout, clock);
                            cancelRead = timer.Token.UnsafeRegister(static r => ((PipeReader)r!).CancelPendingRead(), reader);
                        }

                        result = await reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
                    }

                    first = false;
                    if (result.IsCanceled && timer is { IsCancellationRequested: true })
                    {
                        reader.AdvanceTo(result.Buffer.Start);
                        return BodyRead.TimedOut;
                    }

                    ReadOnlySequence<byte> data = result.Buffer;
                    long room = limit + 1 - _length;
                    if (data.Length > room)
                    {
                        data = data.Slice(0, room);
                    }

                    Reserve(_length + (int)data.Length);
                    data.CopyTo(_buffer.AsSpan(_length));
                    _length += (int)data.Length;
                    reader.AdvanceTo(data.End);
                    if (_length > limit)
                    {
                        return BodyRead.TooLarge;
                    }

                    if (result.IsCompleted || _length == contentLength)
                    {
                        return BodyRead.Complete; // the declared length is in: no further read just to see the end
                    }
                }
            }
            finally
            {
                await cancelRead.DisposeAsync().ConfigureAwait(false); // waits for a callback in flight
                timer?.Dispose();
            }
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);

        private void Reserve(int size)
        {
            if (size <= _buffer.Length)
            {
                return;
            }

            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(size, _buffer.Length * 2));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
    }
}

/// <summary>What <c>GET {prefix}/{name}</c> answers.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Alias">The alias it follows.</param>
/// <param name="Version">The version it serves.</param>
/// <param name="Reloads">New versions swapped in since the first load.</param>
/// <param name="UnseenCategories">Unseen categories met in requests.</param>
/// <param name="Manifest">The served version's manifest.</param>
public sealed record ModelDescription(string Name, string Alias, int Version, long Reloads, long UnseenCategories, ModelManifest Manifest);

/// <summary>One line of <c>GET {prefix}</c>.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Alias">The alias it follows.</param>
/// <param name="Version">The version it serves, or <see langword="null"/> before it is loaded.</param>
/// <param name="Loaded">Whether a version is loaded.</param>
public sealed record ModelSummary(string Name, string? Alias, int? Version, bool Loaded);
