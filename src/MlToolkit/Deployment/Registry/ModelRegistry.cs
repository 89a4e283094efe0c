using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Internal;
using MlToolkit.Preparation;
using MlToolkit.Storage;
using MlToolkit.Training;

namespace MlToolkit.Deployment.Registry;

/// <summary>
/// A versioned registry of one named model in any <see cref="IArtifactStore"/>. Layout under <c>{name}/</c>:
/// <c>blobs/{sha256}.zip</c> (model files, content-addressed), <c>versions/{version}.json</c> (manifests),
/// <c>aliases/{alias}.json</c> and <c>deleted/{version}.json</c> (tombstones of deleted versions).
/// </summary>
/// <remarks>
/// A version exists when its manifest exists, and the manifest is written last with a create-only write whose
/// success is the commit: concurrent publishers get distinct versions without gaps (the loser of a race retries
/// with the next number), and a publish interrupted at any point leaves either a complete version or none (at worst
/// an unreferenced model file). Aliases move by compare-and-swap (<see cref="IConditionalArtifactStore"/>: local folders,
/// Azure Blob, S3), so concurrent moves never lose one another.
/// <para>
/// Both rest on the store honouring its conditions, which an S3-compatible server may not do (the s3rver emulator
/// ignores <c>If-None-Match</c> and <c>If-Match</c>). So before its first publish or alias move the registry probes its
/// store, once per store instance (<see cref="CheckStoreAsync"/>: a few small writes under <c>{name}/probes/</c>), and
/// refuses both with a <see cref="ConditionalWritesNotHonouredException"/> on a store seen to ignore a condition, and
/// alias moves on a store without compare-and-swap, unless
/// <see cref="ModelRegistryOptions.AllowStoreWithoutConditionalWrites"/> says that a single process writes to it. Reading
/// and loading never probe.
/// </para>
/// </remarks>
public sealed class ModelRegistry
{
    /// <summary>The most categories a manifest records per text input.</summary>
    internal const int MaxCategories = 10_000;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a registry for the model <paramref name="name"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="name">The model's name: letters, digits, '-', '_' and '.'.</param>
    /// <param name="timeProvider">The clock for creation times, or <see langword="null"/> for the system clock.</param>
    public ModelRegistry(IArtifactStore store, string name, TimeProvider? timeProvider = null)
        : this(store, name, new ModelRegistryOptions(), timeProvider)
    {
    }

    /// <summary>Creates a registry for the model <paramref name="name"/> with <paramref name="options"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="name">The model's name: letters, digits, '-', '_' and '.'.</param>
    /// <param name="options">How it treats its store (copied: later changes to it have no effect).</param>
    /// <param name="timeProvider">The clock for creation times, or <see langword="null"/> for the system clock.</param>
    public ModelRegistry(IArtifactStore store, string name, ModelRegistryOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        Store = store;
        Name = CheckName(name, nameof(name));
        Options = new ModelRegistryOptions { AllowStoreWithoutConditionalWrites = options.AllowStoreWithoutConditionalWrites };
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The store.</summary>
    public IArtifactStore Store { get; }

    /// <summary>How it treats its store (a copy of the options it was created with).</summary>
    public ModelRegistryOptions Options { get; }

    /// <summary>The model's name.</summary>
    public string Name { get; }

    /// <summary>
    /// Probes the store's conditional writes, or returns what the probe saw when this store instance was probed before
    /// (by any registry): a create-only write of a fresh key twice, the second of which must be refused; and, on an
    /// <see cref="IConditionalArtifactStore"/>, a conditional create over an existing object and a write with a stale tag,
    /// both of which must be refused. It writes under <c>{name}/probes/</c> and deletes what it wrote, but for one small
    /// object (<c>{name}/probes/compare-and-swap.probe</c>) that stays so that concurrent probes never disturb one another.
    /// A probe that fails (a network error, cancellation) is not kept. Publishing and moving an alias call it first, unless
    /// <see cref="ModelRegistryOptions.AllowStoreWithoutConditionalWrites"/> is set; a host that wants to know at start can call it then.
    /// </summary>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>What the probe saw.</returns>
    public Task<ConditionalWriteProbeResult> CheckStoreAsync(CancellationToken cancellationToken = default)
        => ConditionalWriteProbe.GetAsync(Store, $"{Name}/{ConditionalWriteProbe.FolderName}", cancellationToken);

    /// <summary>
    /// Publishes a trained model as the next version: writes the model file, then commits the manifest. Retries with
    /// the next version number when another publisher took this one.
    /// </summary>
    /// <param name="context">The model, its metrics, validation and training data.</param>
    /// <param name="cancellationToken">Cancels the publish; nothing visible is left half-written.</param>
    /// <returns>The committed manifest.</returns>
    /// <exception cref="ConditionalWritesNotHonouredException">The store was seen to ignore conditional writes (see <see cref="CheckStoreAsync"/>); nothing was written but the probe's keys.</exception>
    public async Task<ModelManifest> PublishAsync(DeploymentContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        await RequireConditionalWritesAsync("publish", aliasMove: false, cancellationToken).ConfigureAwait(false);
        TrainedModel model = context.Model;
        using var buffer = new MemoryStream();
        model.Save(buffer);
        byte[] bytes = buffer.ToArray();
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        string blobKey = $"{Name}/blobs/{sha}.zip";
        if (!await Store.ExistsAsync(blobKey, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await Store.WriteAsync(blobKey, new MemoryStream(bytes, writable: false), ArtifactWriteMode.CreateNew, cancellationToken).ConfigureAwait(false);
            }
            catch (ArtifactExistsException)
            {
                // Content-addressed: another publisher wrote the same bytes.
            }
        }

        ModelManifest template = CreateManifest(context, blobKey, sha, bytes.Length);
        for (int attempt = 0; attempt < 10_000; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Deleted versions keep a tombstone, so a number is never given to two different models.
            int version = (await ListVersionNumbersAsync(cancellationToken).ConfigureAwait(false))
                .Concat(await ListNumbersAsync($"{Name}/deleted/", cancellationToken).ConfigureAwait(false))
                .DefaultIfEmpty(0).Max() + 1;
            ModelManifest manifest = template with { Version = version };
            manifest = manifest with { ManifestSha256 = ManifestIntegrity.Compute(JsonSerializer.SerializeToUtf8Bytes(manifest, ModelManifest.Json)) };
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(manifest, ModelManifest.Json);
            try
            {
                await Store.WriteAsync(VersionKey(version), new MemoryStream(json, writable: false), ArtifactWriteMode.CreateNew, cancellationToken).ConfigureAwait(false);
                return manifest;
            }
            catch (ArtifactExistsException)
            {
                // Another publisher committed this version first: take the next one.
            }
        }

        throw new ModelRegistryException(Name, null, "could not claim a version number after 10,000 attempts.", Store.GetLocation(Name + "/versions"));
    }

    /// <summary>The committed versions, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The manifests.</returns>
    public async Task<IReadOnlyList<ModelManifest>> ListVersionsAsync(CancellationToken cancellationToken = default)
    {
        var manifests = new List<ModelManifest>();
        foreach (int version in await ListVersionNumbersAsync(cancellationToken).ConfigureAwait(false))
        {
            manifests.Add(await GetManifestAsync(version, cancellationToken).ConfigureAwait(false));
        }

        return manifests;
    }

    /// <summary>
    /// Reads the manifest of <paramref name="version"/> and checks it against its <see cref="ModelManifest.ManifestSha256"/>,
    /// so that a manifest edited after publish is refused.
    /// </summary>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The manifest.</returns>
    /// <exception cref="ModelRegistryException">The version does not exist, or its manifest is unreadable, of another format, or changed since it was published.</exception>
    public async Task<ModelManifest> GetManifestAsync(int version, CancellationToken cancellationToken = default)
    {
        byte[] json = await ReadAsync(VersionKey(version), version, "it does not exist", cancellationToken).ConfigureAwait(false);
        return ParseManifest(json, version, verify: true);
    }

    /// <summary>Parses a stored manifest; with <paramref name="verify"/>, checks its format and integrity hash.</summary>
    private ModelManifest ParseManifest(byte[] json, int version, bool verify)
    {
        string location = Store.GetLocation(VersionKey(version));
        ModelManifest manifest;
        string? actual = null;
        try
        {
            // The hash is computed first: it also refuses a property given twice, whose last value the deserializer would take.
            if (verify)
            {
                actual = ManifestIntegrity.Compute(json);
            }

            manifest = JsonSerializer.Deserialize<ModelManifest>(json, ModelManifest.Json)
                ?? throw new JsonException("The manifest is empty.");
        }
        catch (JsonException ex)
        {
            throw new ModelRegistryException(Name, version, $"its manifest is not valid JSON ({ex.Message}).", location, ex);
        }

        if (manifest.Version != version || manifest.Name != Name)
        {
            throw new ModelRegistryException(Name, version, $"its manifest describes '{manifest.Name}' version {manifest.Version}.", location);
        }

        if (!verify)
        {
            return manifest;
        }

        if (manifest.Format > ModelManifest.CurrentFormat)
        {
            throw new ModelRegistryException(Name, version, $"its manifest has format {manifest.Format}, written by a newer MlToolkit than this one ({LibraryVersions["MlToolkit"]}, which reads format {ModelManifest.CurrentFormat}); upgrade MlToolkit.", location);
        }

        if (manifest.ManifestSha256 is null)
        {
            // Refused rather than accepted with a warning: without the hash nothing but the model's schema could be
            // checked, and the categories, metrics and validation verdict (which decides promotion) could be edited unseen.
            throw new ModelRegistryException(Name, version, $"its manifest has no {ManifestIntegrity.PropertyName} (format {manifest.Format}, written before manifests were covered by the integrity check), so an edit to it could not be detected; publish the model again.", location);
        }

        if (manifest.Format != ModelManifest.CurrentFormat)
        {
            throw new ModelRegistryException(Name, version, $"its manifest has format {manifest.Format}, which this MlToolkit does not read (it reads format {ModelManifest.CurrentFormat}); publish the model again.", location);
        }

        if (!string.Equals(actual, manifest.ManifestSha256, StringComparison.Ordinal))
        {
            throw new ModelRegistryException(Name, version, $"its manifest was changed after it was published: the SHA-256 of its content is {actual} but its {ManifestIntegrity.PropertyName} says {manifest.ManifestSha256}. It is not used; restore the manifest, or delete the version and publish the model again.", location);
        }

        return manifest;
    }

    /// <summary>Reads an alias, or returns <see langword="null"/> when it is not set.</summary>
    /// <param name="alias">The alias.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The alias or <see langword="null"/>.</returns>
    public async Task<ModelAlias?> GetAliasAsync(string alias, CancellationToken cancellationToken = default)
    {
        string key = AliasKey(CheckName(alias, nameof(alias)));
        try
        {
            Stream stream = await Store.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync<ModelAlias>(stream, ModelManifest.Json, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ArtifactNotFoundException)
        {
            return null;
        }
        catch (JsonException ex)
        {
            throw new ModelRegistryException(Name, null, $"alias '{alias}' is not valid JSON ({ex.Message}).", Store.GetLocation(key), ex);
        }
    }

    /// <summary>Every alias that is set.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The aliases in ordinal order.</returns>
    public async Task<IReadOnlyList<ModelAlias>> ListAliasesAsync(CancellationToken cancellationToken = default)
    {
        var aliases = new List<ModelAlias>();
        await foreach (string key in Store.ListAsync($"{Name}/aliases/", cancellationToken).ConfigureAwait(false))
        {
            string file = key[(Name.Length + "/aliases/".Length)..];
            if (file.EndsWith(".json", StringComparison.Ordinal) && await GetAliasAsync(file[..^5], cancellationToken).ConfigureAwait(false) is { } alias)
            {
                aliases.Add(alias);
            }
        }

        return aliases;
    }

    /// <summary>
    /// Points <paramref name="alias"/> at <paramref name="version"/> (promotion). The version must have passed validation
    /// unless <paramref name="force"/> is set; the alias's previous version is kept for <see cref="RollbackAsync"/>.
    /// </summary>
    /// <param name="alias">The alias, such as <c>production</c>.</param>
    /// <param name="version">The version.</param>
    /// <param name="force">Whether to promote a version that did not pass (or never ran) validation.</param>
    /// <param name="cancellationToken">Cancels the move.</param>
    /// <returns>The alias as it now is.</returns>
    /// <exception cref="ConditionalWritesNotHonouredException">The store was seen to ignore conditional writes, or offers no compare-and-swap (see <see cref="CheckStoreAsync"/>).</exception>
    public async Task<ModelAlias> SetAliasAsync(string alias, int version, bool force = false, CancellationToken cancellationToken = default)
    {
        CheckName(alias, nameof(alias));
        ModelManifest manifest = await GetManifestAsync(version, cancellationToken).ConfigureAwait(false);
        if (!force && manifest.Validation is not { Passed: true })
        {
            string why = manifest.Validation is null ? "it was never validated" : "it failed validation: " + string.Join("; ", manifest.Validation.Gates.Where(g => !g.Passed).Select(g => $"{g.Name}: {g.Reason.TrimEnd('.')}"));
            throw new ModelRegistryException(Name, version, $"cannot be promoted to '{alias}' because {why}. Pass force: true to promote it anyway.", Store.GetLocation(AliasKey(alias)));
        }

        return await UpdateAliasAsync(alias, current => current?.Version == version
            ? null
            : new ModelAlias(alias, version, current is null ? [] : [.. current.History, current.Version], _timeProvider.GetUtcNow()), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves <paramref name="alias"/> back to the version it pointed at before its last move.</summary>
    /// <param name="alias">The alias.</param>
    /// <param name="cancellationToken">Cancels the move.</param>
    /// <returns>The alias as it now is.</returns>
    /// <exception cref="ModelRegistryException">The alias is not set or has no earlier version.</exception>
    /// <exception cref="ConditionalWritesNotHonouredException">The store was seen to ignore conditional writes, or offers no compare-and-swap (see <see cref="CheckStoreAsync"/>).</exception>
    public async Task<ModelAlias> RollbackAsync(string alias, CancellationToken cancellationToken = default)
    {
        CheckName(alias, nameof(alias));
        ModelAlias seen = await GetAliasAsync(alias, cancellationToken).ConfigureAwait(false)
            ?? throw new ModelRegistryException(Name, null, $"alias '{alias}' is not set, so it cannot be rolled back.");
        if (seen.History.Count > 0)
        {
            await GetManifestAsync(seen.History[^1], cancellationToken).ConfigureAwait(false);
        }

        return await UpdateAliasAsync(alias, current =>
        {
            if (current is null || current.History.Count == 0)
            {
                throw new ModelRegistryException(Name, current?.Version, current is null ? $"alias '{alias}' is not set, so it cannot be rolled back." : $"alias '{alias}' has no earlier version to roll back to.");
            }

            return new ModelAlias(alias, current.History[^1], current.History.Take(current.History.Count - 1).ToList(), _timeProvider.GetUtcNow());
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes a version: its manifest moves to <c>deleted/</c> as a tombstone, so the number is never reused. Its model
    /// file stays (another version, or a publish in progress, may share it); <see cref="PruneModelFilesAsync"/> removes
    /// model files no version references.
    /// </summary>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the deletion.</param>
    /// <exception cref="ModelRegistryException">An alias points at the version, or it does not exist.</exception>
    public async Task DeleteVersionAsync(int version, CancellationToken cancellationToken = default)
    {
        // A manifest that fails its integrity check can still be deleted: that is how a tampered version is removed.
        byte[] json = await ReadAsync(VersionKey(version), version, "it does not exist", cancellationToken).ConfigureAwait(false);
        ParseManifest(json, version, verify: false);
        var pointing = (await ListAliasesAsync(cancellationToken).ConfigureAwait(false)).Where(a => a.Version == version).Select(a => a.Alias).ToList();
        if (pointing.Count > 0)
        {
            throw new ModelRegistryException(Name, version, $"cannot be deleted while the alias{(pointing.Count > 1 ? "es" : string.Empty)} {string.Join(", ", pointing.Select(a => $"'{a}'"))} point{(pointing.Count > 1 ? string.Empty : "s")} at it; move or roll back the alias first.");
        }

        await Store.WriteAsync(TombstoneKey(version), new MemoryStream(json, writable: false), ArtifactWriteMode.Overwrite, cancellationToken).ConfigureAwait(false);
        await Store.DeleteAsync(VersionKey(version), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes the model files that no version references (left by deleted versions or by interrupted publishes).
    /// Run it when no publish is in progress: a publish that reuses an existing file between this listing and its commit
    /// would otherwise lose it.
    /// </summary>
    /// <param name="cancellationToken">Cancels the pruning.</param>
    /// <returns>The keys of the deleted files.</returns>
    public async Task<IReadOnlyList<string>> PruneModelFilesAsync(CancellationToken cancellationToken = default)
    {
        var referenced = (await ListVersionsAsync(cancellationToken).ConfigureAwait(false)).Select(m => m.ModelKey).ToHashSet(StringComparer.Ordinal);
        var deleted = new List<string>();
        await foreach (string key in Store.ListAsync($"{Name}/blobs/", cancellationToken).ConfigureAwait(false))
        {
            if (!referenced.Contains(key) && await Store.DeleteAsync(key, cancellationToken).ConfigureAwait(false))
            {
                deleted.Add(key);
            }
        }

        return deleted;
    }

    /// <summary>Loads the version an alias points at; see <see cref="LoadAsync(int, CancellationToken)"/>.</summary>
    /// <param name="alias">The alias.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The verified, loaded model.</returns>
    public async Task<LoadedModel> LoadAsync(string alias, CancellationToken cancellationToken = default)
    {
        ModelAlias target = await GetAliasAsync(alias, cancellationToken).ConfigureAwait(false)
            ?? throw new ModelRegistryException(Name, null, $"alias '{alias}' is not set.", Store.GetLocation(AliasKey(alias)));
        return await LoadAsync(target.Version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads a version. The manifest is checked against its own hash; the model file's size and SHA-256 are checked
    /// against the manifest, and its zip signature, before ML.NET reads it (loading a model runs code from it), so a
    /// missing, empty, truncated, tampered or non-model file is rejected with a message naming the model, the version and
    /// the reason. Once loaded, the manifest's inputs, outputs, task, classes and label column are compared with the model
    /// file's own (its input and output schemas, its score slot names and the classes it records), so that a manifest
    /// edited and re-hashed is refused too, naming each field that differs.
    /// </summary>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the load.</param>
    /// <returns>The verified, loaded model.</returns>
    /// <exception cref="ModelRegistryException">The version or its file is missing or fails a check.</exception>
    public async Task<LoadedModel> LoadAsync(int version, CancellationToken cancellationToken = default)
    {
        ModelManifest manifest = await GetManifestAsync(version, cancellationToken).ConfigureAwait(false);
        byte[] bytes = await ReadAsync(manifest.ModelKey, version, "its model file is missing", cancellationToken).ConfigureAwait(false);
        string location = Store.GetLocation(manifest.ModelKey);
        if (bytes.Length == 0)
        {
            throw new ModelRegistryException(Name, version, "its model file is empty.", location);
        }

        if (bytes.Length != manifest.Bytes)
        {
            throw new ModelRegistryException(Name, version, $"its model file has {bytes.Length} bytes but the manifest says {manifest.Bytes} (truncated or replaced).", location);
        }

        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (sha != manifest.Sha256)
        {
            throw new ModelRegistryException(Name, version, $"its model file's SHA-256 is {sha} but the manifest says {manifest.Sha256} (the file was changed); it is not loaded.", location);
        }

        if (bytes.Length < 4 || bytes[0] != 'P' || bytes[1] != 'K' || bytes[2] != 3 || bytes[3] != 4)
        {
            throw new ModelRegistryException(Name, version, "its model file is not an ML.NET model (no zip signature).", location);
        }

        var ml = new MLContext(manifest.Seed);
        ITransformer transformer;
        DataViewSchema inputSchema;
        try
        {
            transformer = ml.Model.Load(new MemoryStream(bytes, writable: false), out inputSchema);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ModelRegistryException(Name, version, $"ML.NET could not load its model file: {ex.Message}", location, ex);
        }

        CheckAgainstModel(manifest, bytes, transformer, inputSchema, location);
        return new LoadedModel(manifest, ml, transformer, inputSchema);
    }

    /// <summary>
    /// Refuses a manifest whose inputs, outputs, task, classes or label column differ from the model file's own: a manifest
    /// whose hash was recomputed after an edit passes the integrity check, and would otherwise be served wrongly.
    /// </summary>
    private void CheckAgainstModel(ModelManifest manifest, byte[] bytes, ITransformer transformer, DataViewSchema inputSchema, string location)
    {
        ModelFileEntry? recorded;
        List<string> problems;
        try
        {
            recorded = ModelFileEntry.Read(bytes);
            problems = recorded is null ? [] : ManifestSchemaCheck.Compare(manifest, transformer, inputSchema, recorded);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ModelRegistryException(Name, manifest.Version, $"its model file could not be checked against its manifest: {ex.Message}", location, ex);
        }

        if (recorded is null)
        {
            throw new ModelRegistryException(Name, manifest.Version, $"its model file does not record the task and classes it was trained for (no '{ModelFileEntry.EntryName}' entry: it was saved by an older MlToolkit, or not by MlToolkit), so its manifest cannot be checked against it; publish the model again.", location);
        }

        if (problems.Count > 0)
        {
            throw new ModelRegistryException(Name, manifest.Version, $"its manifest does not match its model file: {string.Join("; ", problems)}. It is not loaded; delete the version and publish the model again.", location);
        }
    }

    private ModelManifest CreateManifest(DeploymentContext context, string blobKey, string sha, long bytes)
    {
        TrainedModel model = context.Model;
        // The categories of every text input in one pass over the training rows.
        string[] textInputs = [.. model.InputSchema.Where(c => !c.IsHidden && c.Type is TextDataViewType && context.TrainingData?.Schema.GetColumnOrNull(c.Name) is not null).Select(c => c.Name)];
        ColumnStatistics? statistics = textInputs.Length > 0 ? ColumnStatistics.Compute(context.TrainingData!, new StatisticsRequest().TextCounts(textInputs, MaxCategories)) : null;
        var inputs = new List<ManifestColumn>();
        foreach (DataViewSchema.Column column in model.InputSchema)
        {
            if (column.IsHidden)
            {
                continue;
            }

            IReadOnlyList<string>? categories = null;
            bool complete = false;
            if (statistics is not null && statistics.TryGetText(column.Name, out TextSummary? summary))
            {
                // Counting stops past the limit: more keys than the limit means that the list is cut.
                IReadOnlyDictionary<string, int> counts = summary.Counts;
                complete = counts.Count <= MaxCategories;
                categories = counts.Keys.Order(StringComparer.Ordinal).Take(MaxCategories).ToList();
            }

            inputs.Add(new ManifestColumn(column.Name, KindOf(column.Type), column.Type is VectorDataViewType v ? v.Size : null, categories) { CategoriesComplete = complete });
        }

        DataViewSchema output = model.Transformer.GetOutputSchema(model.InputSchema);
        var outputs = output
            .Where(c => !c.IsHidden && c.Name is "Score" or "Probability" or "PredictedLabel")
            .Select(c => new ManifestColumn(c.Name, KindOf(c.Type), c.Type is VectorDataViewType v ? v.Size : null))
            .ToList();
        var metrics = new Dictionary<string, IReadOnlyDictionary<string, double?>> { ["test"] = Numbers(context.TestMetrics) };
        if (context.ValidationMetrics is not null)
        {
            metrics["validation"] = Numbers(context.ValidationMetrics);
        }

        if (context.TrainingMetrics is not null)
        {
            metrics["training"] = Numbers(context.TrainingMetrics);
        }

        return new ModelManifest
        {
            Name = Name,
            Version = 0,
            Task = model.Task,
            Trainer = model.TrainerName,
            LabelColumn = model.LabelColumn,
            Classes = model.ClassNames,
            Inputs = inputs,
            Outputs = outputs,
            Metrics = metrics,
            Validation = context.Validation is null ? null : new ManifestValidation(context.Validation.Passed, context.Validation.Gates, context.Validation.Diagnosis?.Verdict.ToString()),
            DataFingerprint = context.DataFingerprint ?? string.Empty,
            DataSnapshots = context.DataSnapshots,
            Seed = context.Seed,
            Libraries = LibraryVersions,
            CreatedAt = _timeProvider.GetUtcNow(),
            ModelKey = blobKey,
            Sha256 = sha,
            Bytes = bytes,
        };
    }

    private static IReadOnlyDictionary<string, double?> Numbers(EvaluationResult result)
        => result.Metrics.ToDictionary(p => p.Key, p => double.IsFinite(p.Value) ? p.Value : (double?)null);

    private static string KindOf(DataViewType type) => ManifestSchemaCheck.KindOf(type);

    private static IReadOnlyDictionary<string, string> LibraryVersions { get; } = new Dictionary<string, string>
    {
        ["MlToolkit"] = Version(typeof(ModelRegistry).Assembly),
        ["Microsoft.ML"] = Version(typeof(MLContext).Assembly),
        [".NET"] = Environment.Version.ToString(),
    };

    private static string Version(Assembly assembly)
        => assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? assembly.GetName().Version?.ToString() ?? "unknown";

    private Task<List<int>> ListVersionNumbersAsync(CancellationToken cancellationToken)
        => ListNumbersAsync($"{Name}/versions/", cancellationToken);

    private async Task<List<int>> ListNumbersAsync(string prefix, CancellationToken cancellationToken)
    {
        var versions = new List<int>();
        await foreach (string key in Store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            string file = key[prefix.Length..];
            if (file.EndsWith(".json", StringComparison.Ordinal) && int.TryParse(file[..^5], NumberStyles.None, CultureInfo.InvariantCulture, out int version))
            {
                versions.Add(version);
            }
        }

        versions.Sort();
        return versions;
    }

    /// <summary>
    /// Refuses <paramref name="operation"/> unless the store honours the conditions it relies on (create-only writes, and
    /// for an alias move compare-and-swap too) or the options allow a store without them.
    /// </summary>
    private async Task RequireConditionalWritesAsync(string operation, bool aliasMove, CancellationToken cancellationToken)
    {
        if (Options.AllowStoreWithoutConditionalWrites)
        {
            return;
        }

        ConditionalWriteProbeResult probe = await CheckStoreAsync(cancellationToken).ConfigureAwait(false);
        var problems = new List<string>(probe.Observations);
        if (aliasMove && probe.CompareAndSwapHonoured is null)
        {
            problems.Add($"it offers no compare-and-swap ({Store.GetType().Name} does not implement {nameof(IConditionalArtifactStore)}), so one of two concurrent alias moves could be lost");
        }

        if (problems.Count > 0)
        {
            throw new ConditionalWritesNotHonouredException(Name, operation, Store.GetType().Name, probe, problems);
        }
    }

    /// <summary>
    /// Moves an alias: <paramref name="change"/> gets the alias as it is (or <see langword="null"/>) and returns it as it
    /// should be (or <see langword="null"/> for no change). On a store with conditional writes the move is a compare-and-swap,
    /// retried on conflict, so concurrent moves never lose one another; elsewhere (allowed only by
    /// <see cref="ModelRegistryOptions.AllowStoreWithoutConditionalWrites"/>) the last move wins.
    /// </summary>
    private async Task<ModelAlias> UpdateAliasAsync(string alias, Func<ModelAlias?, ModelAlias?> change, CancellationToken cancellationToken)
    {
        await RequireConditionalWritesAsync($"move alias '{alias}'", aliasMove: true, cancellationToken).ConfigureAwait(false);
        string key = AliasKey(alias);
        if (Store is not IConditionalArtifactStore conditional)
        {
            ModelAlias? current = await GetAliasAsync(alias, cancellationToken).ConfigureAwait(false);
            ModelAlias? updated = change(current);
            if (updated is not null)
            {
                byte[] json = JsonSerializer.SerializeToUtf8Bytes(updated, ModelManifest.Json);
                await Store.WriteAsync(key, new MemoryStream(json, writable: false), ArtifactWriteMode.Overwrite, cancellationToken).ConfigureAwait(false);
            }

            return updated ?? current!;
        }

        const int attempts = 50;
        for (int attempt = 1; ; attempt++)
        {
            VersionedArtifact? read = await conditional.ReadVersionedAsync(key, cancellationToken).ConfigureAwait(false);
            ModelAlias? current = read is null ? null : ParseAlias(alias, key, read.Content);
            ModelAlias? updated = change(current);
            if (updated is null)
            {
                return current!;
            }

            try
            {
                byte[] json = JsonSerializer.SerializeToUtf8Bytes(updated, ModelManifest.Json);
                await conditional.WriteIfUnchangedAsync(key, new MemoryStream(json, writable: false), read?.Tag, cancellationToken).ConfigureAwait(false);
                return updated;
            }
            catch (ArtifactChangedException) when (attempt < attempts)
            {
                // Another move got there first: read the alias again and apply this move on top of it.
            }
            catch (ArtifactChangedException ex)
            {
                throw new ModelRegistryException(Name, updated.Version, $"alias '{alias}' kept changing under concurrent moves; gave up after {attempts} attempts.", Store.GetLocation(key), ex);
            }
        }
    }

    private ModelAlias ParseAlias(string alias, string key, byte[] json)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelAlias>(json, ModelManifest.Json) ?? throw new JsonException("null");
        }
        catch (JsonException ex)
        {
            throw new ModelRegistryException(Name, null, $"alias '{alias}' is not valid JSON ({ex.Message}).", Store.GetLocation(key), ex);
        }
    }

    private async Task<byte[]> ReadAsync(string key, int? version, string missing, CancellationToken cancellationToken)
    {
        try
        {
            Stream stream = await Store.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
                return buffer.ToArray();
            }
        }
        catch (ArtifactNotFoundException ex)
        {
            throw new ModelRegistryException(Name, version, missing + ".", Store.GetLocation(key), ex);
        }
    }

    private string VersionKey(int version) => $"{Name}/versions/{version.ToString("D8", CultureInfo.InvariantCulture)}.json";

    private string AliasKey(string alias) => $"{Name}/aliases/{alias}.json";

    private string TombstoneKey(int version) => $"{Name}/deleted/{version.ToString("D8", CultureInfo.InvariantCulture)}.json";

    private static string CheckName(string name, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, paramName);
        if (name.Length > 100 || name.StartsWith('.') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"'{name}' is not a valid name: use up to 100 ASCII letters, digits, '-', '_' and '.', not starting with '.'.", paramName);
        }

        return name;
    }
}

/// <summary>A model loaded from the registry after its checks.</summary>
/// <param name="Manifest">Its manifest.</param>
/// <param name="MLContext">The ML.NET context it was loaded with.</param>
/// <param name="Transformer">Preparation and model as one transformer.</param>
/// <param name="InputSchema">The input schema saved with the model.</param>
public sealed record LoadedModel(ModelManifest Manifest, MLContext MLContext, ITransformer Transformer, DataViewSchema InputSchema);
