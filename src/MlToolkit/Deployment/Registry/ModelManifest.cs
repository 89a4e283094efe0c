using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlToolkit.Deployment.Registry;

/// <summary>
/// Everything a host needs to know about a registered model version: what it predicts, the input it expects (with
/// the categories seen in training), its metrics and validation, the data and seed it came from, and the SHA-256 of
/// the model file, checked before the file is ever loaded.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>
    /// The manifest format version: 2 since manifests carry <see cref="ManifestSha256"/> and
    /// <see cref="ManifestColumn.CategoriesComplete"/>. A registry refuses other formats.
    /// </summary>
    public int Format { get; init; } = CurrentFormat;

    /// <summary>The model's name in the registry.</summary>
    public required string Name { get; init; }

    /// <summary>The version, from 1, without gaps.</summary>
    public required int Version { get; init; }

    /// <summary>The task.</summary>
    public required MlTask Task { get; init; }

    /// <summary>The trainer's name.</summary>
    public required string Trainer { get; init; }

    /// <summary>The label column the model was trained on (not an input).</summary>
    public required string LabelColumn { get; init; }

    /// <summary>Binary: negative then positive class; multiclass: the classes in score order; regression: empty.</summary>
    public required IReadOnlyList<string> Classes { get; init; }

    /// <summary>The input columns the model reads.</summary>
    public required IReadOnlyList<ManifestColumn> Inputs { get; init; }

    /// <summary>The columns the model adds (Score, Probability, PredictedLabel).</summary>
    public required IReadOnlyList<ManifestColumn> Outputs { get; init; }

    /// <summary>Metrics by data set (<c>test</c>, <c>validation</c>, <c>training</c>) and name; undefined metrics are null.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, double?>> Metrics { get; init; }

    /// <summary>The validation verdict, or <see langword="null"/> when no validator ran.</summary>
    public ManifestValidation? Validation { get; init; }

    /// <summary>The SHA-256 of the training data (<see cref="Data.DataFingerprint"/>).</summary>
    public required string DataFingerprint { get; init; }

    /// <summary>
    /// The snapshots of what each source gave the run (key and SHA-256 in their store), when it kept any: a
    /// <see cref="Extraction.Snapshots.SnapshotDataSource"/> on them repeats the run on exactly the same data.
    /// </summary>
    public IReadOnlyList<Extraction.Snapshots.DataSnapshot> DataSnapshots { get; init; } = [];

    /// <summary>The pipeline's seed.</summary>
    public required int Seed { get; init; }

    /// <summary>Versions of the libraries that trained the model (MlToolkit, Microsoft.ML, .NET).</summary>
    public required IReadOnlyDictionary<string, string> Libraries { get; init; }

    /// <summary>When the version was published.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The store key of the model file.</summary>
    public required string ModelKey { get; init; }

    /// <summary>The SHA-256 of the model file, lowercase hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The size of the model file in bytes.</summary>
    public required long Bytes { get; init; }

    /// <summary>
    /// The SHA-256 (lowercase hex) of the manifest's own content, recorded at publish and checked on every read, so that
    /// a manifest edited after publish (classes swapped, an input's kind changed) is refused instead of served. It covers
    /// every other field, <see cref="Sha256"/> of the model file included. It is computed over the manifest's canonical
    /// JSON: this field left out, object properties in ordinal order, no whitespace, numbers as written, strings
    /// re-escaped. It detects edits, not forgery: whoever can write the store can also recompute it, which is why a load
    /// also checks the manifest against the model file's own schema.
    /// </summary>
    public string? ManifestSha256 { get; init; }

    /// <summary>The <see cref="Format"/> this version of MlToolkit writes and reads.</summary>
    internal const int CurrentFormat = 2;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>One column of a model's input or output.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Kind">Number, Boolean, Text or Vector (outputs may also be Key).</param>
/// <param name="Size">The vector size, for vectors.</param>
/// <param name="Categories">
/// For text inputs, the distinct values seen in training (up to 10,000), in ordinal order; <see langword="null"/> when they
/// are unknown (published without training data) or the column is not text.
/// </param>
public sealed record ManifestColumn(string Name, string Kind, int? Size = null, IReadOnlyList<string>? Categories = null)
{
    /// <summary>
    /// Whether <see cref="Categories"/> lists every distinct value the input had in training: <see langword="false"/> when
    /// the version was published without training data (the categories are unknown) or training had more than 10,000 of
    /// them (the list is cut). An empty, complete list means that training saw no value at all. Refusing unseen categories
    /// (<see cref="Prediction.UnseenCategoryPolicy.Reject"/>) needs complete lists.
    /// </summary>
    public bool CategoriesComplete { get; init; }
}

/// <summary>The validation verdict stored with a version.</summary>
/// <param name="Passed">Whether every gate passed.</param>
/// <param name="Gates">Each gate with its figures.</param>
/// <param name="Verdict">The fit verdict, when a diagnosis ran.</param>
public sealed record ManifestValidation(bool Passed, IReadOnlyList<Validation.GateResult> Gates, string? Verdict);

/// <summary>An alias (such as <c>production</c>) and where it points.</summary>
/// <param name="Alias">The alias.</param>
/// <param name="Version">The version it points at.</param>
/// <param name="History">The versions it pointed at before, most recent last (for rollback).</param>
/// <param name="UpdatedAt">When it last moved.</param>
public sealed record ModelAlias(string Alias, int Version, IReadOnlyList<int> History, DateTimeOffset UpdatedAt);
