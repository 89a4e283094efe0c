using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;

namespace MlToolkit.AspNetCore;

/// <summary>
/// <c>GET {prefix}/openapi.json</c>: an OpenAPI 3.0.3 document of the prediction endpoints, made from the manifests of the
/// versions being served, so that each model's request schema is its real inputs (types, vector lengths, the categories
/// seen in training) and changes when a new version with other inputs is swapped in.
/// </summary>
internal static class OpenApiDescription
{
    public static Task WriteAsync(HttpContext context)
    {
        ModelServing serving = context.RequestServices.GetRequiredService<ModelServing>();
        string path = context.Request.PathBase + context.Request.Path;
        string prefix = path[..^"/openapi.json".Length];
        JsonObject document = Create(serving, prefix);
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), context.RequestAborted);
    }

    internal static JsonObject Create(ModelServing serving, string prefix)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject
        {
            ["ProblemDetails"] = new JsonObject
            {
                ["type"] = "object",
                ["description"] = "RFC 9457 problem details; model, field and row name what was wrong.",
                ["properties"] = new JsonObject
                {
                    ["type"] = Str(), ["title"] = Str(), ["status"] = new JsonObject { ["type"] = "integer" }, ["detail"] = Str(),
                    ["model"] = Str(), ["field"] = Str(), ["row"] = new JsonObject { ["type"] = "integer" }, ["traceId"] = Str(),
                },
            },
        };

        foreach (string name in serving.Names.Order(StringComparer.Ordinal))
        {
            if (!serving.TryGet(name, out PredictionService? service) || service.Version is null)
            {
                continue; // described once it is loaded
            }

            ModelManifest manifest = service.Manifest;
            string id = Id(name);
            schemas[id + "Input"] = Input(manifest, service.Options);
            schemas[id + "Prediction"] = Output(manifest, withVersion: true);
            schemas[id + "BatchPrediction"] = new JsonObject
            {
                ["type"] = "object",
                ["required"] = new JsonArray("version", "predictions"),
                ["properties"] = new JsonObject { ["version"] = new JsonObject { ["type"] = "integer" }, ["predictions"] = new JsonObject { ["type"] = "array", ["items"] = Output(manifest, withVersion: false) } },
            };

            int maxBatch = Math.Min(serving.Options.MaxBatchSize, service.Options.MaxBatchSize);
            paths[$"{prefix}/{name}/predict"] = new JsonObject
            {
                ["post"] = new JsonObject
                {
                    ["operationId"] = $"predict_{id}",
                    ["summary"] = $"Predicts with '{name}' ({manifest.Task}, {manifest.Trainer}, version {manifest.Version} of alias '{service.Options.Alias}')",
                    ["description"] = "A JSON object is one row; an array of objects is a batch. Rows are checked against the model's inputs before it sees them. The header " + serving.Options.VersionHeader + " names the version that answered.",
                    ["requestBody"] = new JsonObject
                    {
                        ["required"] = true,
                        ["content"] = new JsonObject
                        {
                            ["application/json"] = new JsonObject
                            {
                                ["schema"] = new JsonObject
                                {
                                    ["oneOf"] = new JsonArray(Ref(id + "Input"), new JsonObject { ["type"] = "array", ["maxItems"] = maxBatch, ["items"] = Ref(id + "Input") }),
                                },
                            },
                        },
                    },
                    ["responses"] = new JsonObject
                    {
                        ["200"] = Response("The prediction (an object for a row, with predictions for a batch).", new JsonObject { ["oneOf"] = new JsonArray(Ref(id + "Prediction"), Ref(id + "BatchPrediction")) }, serving.Options.VersionHeader),
                        ["400"] = Problem("Malformed JSON, a body that is not UTF-8 (with its byte offset), a missing or unknown field, a wrong type, a non-finite number, a wrong vector length or a duplicate key."),
                        ["408"] = Problem(serving.Options.RequestBodyTimeout == Timeout.InfiniteTimeSpan
                            ? "The body arrived more slowly than the server's minimum data rate."
                            : $"The body did not all arrive within {serving.Options.RequestBodyTimeout.TotalSeconds} s, or more slowly than the server's minimum data rate."),
                        ["413"] = Problem($"The body is over {serving.Options.MaxRequestBodyBytes} bytes or the batch over {maxBatch} rows."),
                        ["415"] = Problem("The body is not JSON, or its charset is not UTF-8."),
                        ["503"] = Problem("The model is not loaded yet."),
                    },
                },
            };
            paths[$"{prefix}/{name}"] = new JsonObject
            {
                ["get"] = new JsonObject
                {
                    ["operationId"] = $"describe_{id}",
                    ["summary"] = $"The manifest of the version of '{name}' being served",
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "The model: name, alias, version, reloads and manifest." }, ["404"] = Problem("No such model.") },
                },
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject { ["title"] = "MlToolkit prediction endpoints", ["version"] = "1" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private static JsonObject Input(ModelManifest manifest, PredictionServiceOptions options)
    {
        var properties = new JsonObject();
        foreach (ManifestColumn input in manifest.Inputs)
        {
            properties[input.Name] = input.Kind switch
            {
                "Text" => new JsonObject
                {
                    ["type"] = "string",
                    ["nullable"] = true,
                    ["description"] = input.Categories is { Count: > 0 } categories
                        ? $"One of the categories seen in training: {string.Join(", ", categories.Take(50))}{(categories.Count > 50 ? ", …" : string.Empty)}. Others are {(options.UnseenCategories == UnseenCategoryPolicy.Reject ? "refused" : "accepted and encoded as unseen")}."
                        : "Text.",
                },
                "Boolean" => new JsonObject { ["type"] = "boolean" },
                "Vector" => new JsonObject { ["type"] = "array", ["minItems"] = input.Size ?? 0, ["maxItems"] = input.Size ?? 0, ["items"] = new JsonObject { ["type"] = "number", ["format"] = "float" } },
                _ => new JsonObject { ["type"] = "number", ["format"] = "float", ["nullable"] = true, ["description"] = "A finite number; null when missing." },
            };
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray([.. manifest.Inputs.Select(i => (JsonNode)i.Name)]),
            ["additionalProperties"] = options.UnknownFields != UnknownFieldPolicy.Reject,
            ["properties"] = properties,
        };
    }

    private static JsonObject Output(ModelManifest manifest, bool withVersion)
    {
        var properties = new JsonObject();
        if (withVersion)
        {
            properties["version"] = new JsonObject { ["type"] = "integer" };
        }

        switch (manifest.Task)
        {
            case MlTask.BinaryClassification:
                properties["predictedLabel"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. manifest.Classes.Select(c => (JsonNode)c)]) };
                properties["score"] = new JsonObject { ["type"] = "number" };
                properties["probability"] = new JsonObject { ["type"] = "number", ["minimum"] = 0, ["maximum"] = 1 };
                break;
            case MlTask.MulticlassClassification:
                properties["predictedLabel"] = new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. manifest.Classes.Select(c => (JsonNode)c)]) };
                properties["classScores"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "number" } };
                break;
            default:
                properties["score"] = new JsonObject { ["type"] = "number", ["description"] = $"The predicted {manifest.LabelColumn}." };
                break;
        }

        properties["unseenCategories"] = new JsonObject { ["type"] = "array", ["items"] = Str() };
        return new JsonObject { ["type"] = "object", ["properties"] = properties };
    }

    private static JsonObject Response(string description, JsonObject schema, string versionHeader) => new()
    {
        ["description"] = description,
        ["headers"] = new JsonObject { [versionHeader] = new JsonObject { ["description"] = "The model version that answered.", ["schema"] = new JsonObject { ["type"] = "integer" } } },
        ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schema } },
    };

    private static JsonObject Problem(string description) => new()
    {
        ["description"] = description,
        ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = Ref("ProblemDetails") } },
    };

    private static JsonObject Ref(string schema) => new() { ["$ref"] = $"#/components/schemas/{schema}" };

    private static JsonObject Str() => new() { ["type"] = "string" };

    private static string Id(string name) => string.Concat(name.Split(['-', '.', '_'], StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
}
