using Microsoft.ML;
using MlToolkit.Internal;

namespace MlToolkit.Training;

/// <summary>
/// A fitted model: preparation and trainer in one ML.NET transformer, with the schema of the raw input it
/// expects (the features, without the label) and what its outputs mean.
/// </summary>
public sealed class TrainedModel
{
    internal TrainedModel(MLContext mlContext, ITransformer transformer, DataViewSchema inputSchema, MlTask task, string labelColumn, IReadOnlyList<string> classNames, string trainerName)
    {
        MLContext = mlContext;
        Transformer = transformer;
        InputSchema = inputSchema;
        Task = task;
        LabelColumn = labelColumn;
        ClassNames = classNames;
        TrainerName = trainerName;
    }

    /// <summary>The ML.NET context the model was trained with.</summary>
    public MLContext MLContext { get; }

    /// <summary>Preparation and model as one transformer.</summary>
    public ITransformer Transformer { get; }

    /// <summary>The raw input columns the model reads (the label is not among them).</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>The task.</summary>
    public MlTask Task { get; }

    /// <summary>The label column's name in the training data.</summary>
    public string LabelColumn { get; }

    /// <summary>Binary: the negative and positive class; multiclass: the classes in score order; regression: empty.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The trainer's name.</summary>
    public string TrainerName { get; }

    /// <summary>Scores <paramref name="data"/> (which needs the input columns; the label is not needed).</summary>
    /// <param name="data">The data.</param>
    /// <returns>The data with the model's output columns (<c>Score</c>, <c>PredictedLabel</c>, <c>Probability</c>).</returns>
    public IDataView Transform(IDataView data) => Transformer.Transform(data);

    /// <summary>
    /// Writes the model as an ML.NET model file (a zip) to <paramref name="stream"/>. ML.NET stamps each zip entry with the
    /// current time; the entries are rewritten with a fixed time so that the same model always gives the same bytes
    /// (and the same SHA-256). One entry is added, <c>MlToolkit/Model.json</c> (ML.NET ignores it): the task, the label
    /// column and the class names, which ML.NET does not keep for a binary model, so that a registry can check a
    /// manifest's classes against the model file itself.
    /// </summary>
    /// <param name="stream">The destination.</param>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var raw = new MemoryStream();
        MLContext.Model.Save(Transformer, InputSchema, raw);
        raw.Position = 0;
        DeterministicZip.Rewrite(raw, stream, (ModelFileEntry.EntryName, new ModelFileEntry(Task, LabelColumn, ClassNames).ToJson()));
    }
}
