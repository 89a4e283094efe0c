using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Data;
using MlToolkit.Deployment.Registry;

namespace MlToolkit.Deployment.Prediction;

/// <summary>A prediction, and which model version made it.</summary>
/// <param name="Version">The registry version that answered.</param>
/// <param name="PredictedLabel">The predicted class as it was in the training data (classification), or <see langword="null"/>.</param>
/// <param name="Score">The raw score (binary) or the predicted value (regression); <see langword="null"/> for multiclass.</param>
/// <param name="Probability">The probability of the positive class (binary), or <see langword="null"/>.</param>
/// <param name="ClassScores">The probability of each class (multiclass), or <see langword="null"/>.</param>
/// <param name="UnseenCategories">The fields whose category was not seen in training (encoded as all zeros).</param>
public sealed record Prediction(int Version, string? PredictedLabel, float? Score, float? Probability, IReadOnlyDictionary<string, float>? ClassScores, IReadOnlyList<string> UnseenCategories);

/// <summary>
/// An untyped prediction service: rows are dictionaries of field values (CLR values or <see cref="System.Text.Json.JsonElement"/>),
/// checked against the model's manifest before ML.NET sees them. Thread-safe: any number of callers may predict at once.
/// </summary>
public sealed class PredictionService : PredictionServiceBase<InputSchemaState>
{
    /// <summary>Creates the service; call <see cref="PredictionServiceBase{TState}.StartAsync"/> before predicting.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="logger">The logger, or <see langword="null"/>.</param>
    public PredictionService(ModelRegistry registry, PredictionServiceOptions? options = null, ILogger? logger = null)
        : base(registry, options, logger)
    {
    }

    /// <summary>Whether single rows of the served version go through pooled engines (otherwise through a one-row batch).</summary>
    internal bool UsesPooledEngines => Current.State.Fast is not null;

    /// <summary>The pooled engines of the served version, if it has them.</summary>
    internal DynamicRowEngine? FastEngine => Current.State.Fast;

    /// <summary>Predicts one row.</summary>
    /// <param name="row">Field values by input name.</param>
    /// <returns>The prediction.</returns>
    /// <exception cref="PredictionInputException">The row does not match the model's inputs.</exception>
    public Prediction Predict(IReadOnlyDictionary<string, object?> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        Served served = Current;
        if (served.State.Fast is { } fast)
        {
            Prediction prediction = fast.Predict(row, served.State.Converter, served.Model.Manifest, out int unseen);
            CountUnseen(unseen);
            return prediction;
        }

        return Score([row], batch: false)[0];
    }

    /// <summary>Predicts a batch of rows with one pass through the model.</summary>
    /// <param name="rows">The rows.</param>
    /// <returns>The predictions, in order.</returns>
    /// <exception cref="PredictionInputException">A row is null or does not match the model's inputs (the message names the row and field).</exception>
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count > Options.MaxBatchSize)
        {
            throw new PredictionInputException(Registry.Name, "(batch)", $"has {rows.Count} rows, more than the {Options.MaxBatchSize} allowed.");
        }

        return rows.Count == 0 ? [] : Score(rows, batch: true);
    }

    private List<Prediction> Score(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, bool batch)
    {
        Served served = Current;
        (DataTable table, IReadOnlyList<string>[] unseen) = served.State.Converter.Convert(rows, batch);
        CountUnseen(unseen.Sum(u => u.Count));
        ModelManifest manifest = served.Model.Manifest;
        IDataView scored = served.Model.Transformer.Transform(table);
        var results = new List<Prediction>(rows.Count);
        DataViewSchema.Column[] needed = [.. scored.Schema.Where(c => !c.IsHidden && c.Name is "Score" or "PredictedLabel" or "Probability")];
        using DataViewRowCursor cursor = scored.GetRowCursor(needed);
        switch (manifest.Task)
        {
            case MlTask.BinaryClassification:
                {
                    ValueGetter<bool> label = cursor.GetGetter<bool>(scored.Schema["PredictedLabel"]);
                    ValueGetter<float> score = cursor.GetGetter<float>(scored.Schema["Score"]);
                    ValueGetter<float> probability = cursor.GetGetter<float>(scored.Schema["Probability"]);
                    bool l = false;
                    float s = 0, p = 0;
                    for (int r = 0; cursor.MoveNext(); r++)
                    {
                        label(ref l);
                        score(ref s);
                        probability(ref p);
                        results.Add(new Prediction(manifest.Version, manifest.Classes[l ? 1 : 0], s, p, null, unseen[r]));
                    }

                    break;
                }

            case MlTask.MulticlassClassification:
                {
                    ValueGetter<ReadOnlyMemory<char>> label = cursor.GetGetter<ReadOnlyMemory<char>>(scored.Schema["PredictedLabel"]);
                    ValueGetter<VBuffer<float>> score = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
                    ReadOnlyMemory<char> l = default;
                    VBuffer<float> s = default;
                    for (int r = 0; cursor.MoveNext(); r++)
                    {
                        label(ref l);
                        score(ref s);
                        float[] dense = s.DenseValues().ToArray();
                        var classes = new Dictionary<string, float>(StringComparer.Ordinal);
                        for (int c = 0; c < manifest.Classes.Count && c < dense.Length; c++)
                        {
                            classes[manifest.Classes[c]] = dense[c];
                        }

                        results.Add(new Prediction(manifest.Version, l.ToString(), null, null, classes, unseen[r]));
                    }

                    break;
                }

            default:
                {
                    ValueGetter<float> score = cursor.GetGetter<float>(scored.Schema["Score"]);
                    float s = 0;
                    for (int r = 0; cursor.MoveNext(); r++)
                    {
                        score(ref s);
                        results.Add(new Prediction(manifest.Version, null, s, null, null, unseen[r]));
                    }

                    break;
                }
        }

        return results;
    }

    /// <inheritdoc />
    protected override InputSchemaState CreateState(LoadedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new InputSchemaState(new InputConverter(model.Manifest, Options), DynamicRowEngine.TryCreate(model));
    }
}

/// <summary>What the untyped service keeps per version: the checks built from its manifest.</summary>
public sealed class InputSchemaState
{
    internal InputSchemaState(InputConverter converter, DynamicRowEngine? fast)
    {
        Converter = converter;
        Fast = fast;
    }

    internal InputConverter Converter { get; }

    /// <summary>Pooled engines over types emitted from the manifest, for single rows; <see langword="null"/> when the model cannot be served that way (the batch path is used).</summary>
    internal DynamicRowEngine? Fast { get; }
}
