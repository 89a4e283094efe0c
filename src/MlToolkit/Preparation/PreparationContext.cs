using Microsoft.ML;

namespace MlToolkit.Preparation;

/// <summary>What a preparation step knows when it creates its estimator.</summary>
public sealed class PreparationContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="mlContext">The run's ML.NET context.</param>
    /// <param name="inputSchema">The schema this step receives (after the steps before it).</param>
    /// <param name="trainingData">The raw training split (before any preparation); empty while the pipeline is only being validated.</param>
    /// <param name="labelColumn">The label column, which preparation never touches.</param>
    /// <param name="task">The task.</param>
    /// <param name="excludedColumns">Columns that are not features (label, group key, ignored columns).</param>
    public PreparationContext(MLContext mlContext, SchemaShape inputSchema, IDataView trainingData, string labelColumn, MlTask task, IReadOnlyCollection<string> excludedColumns)
    {
        MLContext = mlContext;
        InputSchema = inputSchema;
        TrainingData = trainingData;
        LabelColumn = labelColumn;
        Task = task;
        ExcludedColumns = excludedColumns;
    }

    /// <summary>The run's ML.NET context.</summary>
    public MLContext MLContext { get; }

    /// <summary>The schema this step receives.</summary>
    public SchemaShape InputSchema { get; }

    /// <summary>The raw training split; use it only to choose settings (such as cardinality), never to fit values.</summary>
    public IDataView TrainingData { get; }

    /// <summary>The label column.</summary>
    public string LabelColumn { get; }

    /// <summary>The task.</summary>
    public MlTask Task { get; }

    /// <summary>Columns that are not features: the label, a group key, ignored columns.</summary>
    public IReadOnlyCollection<string> ExcludedColumns { get; }

    /// <summary>The feature columns of <see cref="InputSchema"/> whose item type satisfies <paramref name="predicate"/>.</summary>
    /// <param name="predicate">Which item types to keep.</param>
    /// <returns>The column names, in schema order.</returns>
    public IReadOnlyList<string> FeatureColumns(Func<SchemaShape.Column, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        IReadOnlySet<string> excluded = ExcludedColumns as IReadOnlySet<string> ?? new HashSet<string>(ExcludedColumns, StringComparer.Ordinal);
        return InputSchema.Where(c => !excluded.Contains(c.Name) && predicate(c)).Select(c => c.Name).ToList();
    }
}
