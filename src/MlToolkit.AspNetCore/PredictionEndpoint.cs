using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;

namespace MlToolkit.AspNetCore;

/// <summary>The request handlers behind <c>MapPredictionEndpoints</c>.</summary>
internal static partial class PredictionEndpoint
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true };

    internal static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() }, WriteIndented = false };

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
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            status = 499; // the client went away; nothing to answer
        }
        catch (Exception ex)
        {
            // Never a stack trace in a response: the log has it, the client gets the trace id to find it.
            status = StatusCodes.Status500InternalServerError;
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PredictionEndpoint)).LogError(2110, ex, "Prediction by '{Model}' failed", name);
            if (!context.Response.HasStarted)
            {
                await ProblemAsync(context, status, "The prediction failed", "The server could not score the request; its log has the details under this trace id.", name).ConfigureAwait(false);
            }
        }
        finally
        {
            var model = new KeyValuePair<string, object?>("model", name);
            telemetry.Duration.Record(telemetry.TimeProvider.GetElapsedTime(started).TotalSeconds, model, new KeyValuePair<string, object?>("outcome", status == 200 ? "success" : "error"));
            if (status != StatusCodes.Status200OK)
            {
                telemetry.Errors.Add(1, model, new KeyValuePair<string, object?>("status", status));
                activity?.SetStatus(ActivityStatusCode.Error);
            }

            activity?.SetTag("http.response.status_code", status);
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

        if (!context.Request.HasJsonContentType())
        {
            return await ProblemAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported content type", $"Send the row as JSON with Content-Type: application/json, not '{context.Request.ContentType ?? "(none)"}'.", name).ConfigureAwait(false);
        }

        if (context.Request.ContentLength > options.MaxRequestBodyBytes)
        {
            return await TooLargeAsync(context, options, name).ConfigureAwait(false);
        }

        // Read the body up to the limit (a body without Content-Length, chunked, is counted as it comes).
        using var body = new PooledBuffer(context.Request.ContentLength);
        if (!await body.ReadAsync(context.Request.Body, options.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false))
        {
            return await TooLargeAsync(context, options, name).ConfigureAwait(false);
        }

        try
        {
            ReadOnlySpan<byte> json = body.Memory.Span;
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
    internal static async Task<int> ProblemAsync(HttpContext context, int status, string title, string detail, string model, string? field = null, int? row = null)
    {
        var extensions = new Dictionary<string, object?> { ["model"] = model };
        if (field is not null)
        {
            extensions["field"] = field;
        }

        if (row is not null)
        {
            extensions["row"] = row;
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

    /// <summary>A body read into pooled memory, up to a limit.</summary>
    private sealed class PooledBuffer(long? contentLength) : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(contentLength is > 0 and < 1 << 20 ? (int)contentLength + 1 : 4096);
        private int _length;

        public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

        /// <summary>Reads the whole stream; <see langword="false"/> as soon as it exceeds <paramref name="limit"/>.</summary>
        public async Task<bool> ReadAsync(Stream stream, long limit, CancellationToken cancellationToken)
        {
            while (true)
            {
                if (_length == _buffer.Length)
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                    _buffer.AsSpan(0, _length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = larger;
                }

                int read = await stream.ReadAsync(_buffer.AsMemory(_length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return true;
                }

                _length += read;
                if (_length > limit)
                {
                    return false;
                }

                if (_length == contentLength)
                {
                    return true; // the declared length is in: no further read just to see the end
                }
            }
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
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
