using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlToolkit.Preparation;

/// <summary>Keeps only some feature columns, or drops some; the label is always kept.</summary>
public sealed class ColumnSelector : PreprocessorBase
{
    private readonly string[] _columns;
    private readonly bool _keep;

    private ColumnSelector(string[] columns, bool keep)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0 || columns.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Name at least one column, none of them empty.", nameof(columns));
        }

        _columns = columns;
        _keep = keep;
    }

    /// <summary>A step that keeps only <paramref name="columns"/> (and the label).</summary>
    /// <param name="columns">The feature columns to keep.</param>
    /// <returns>The step.</returns>
    public static ColumnSelector Keep(params string[] columns) => new(columns, keep: true);

    /// <summary>A step that drops <paramref name="columns"/>.</summary>
    /// <param name="columns">The columns to drop.</param>
    /// <returns>The step.</returns>
    public static ColumnSelector Drop(params string[] columns) => new(columns, keep: false);

    /// <inheritdoc />
    public override string Name => $"{(_keep ? "Keep" : "Drop")}({string.Join(", ", _columns)})";

    /// <inheritdoc />
    public override void Validate(PreparationContext context, IList<string> problems)
        => RequireColumns(context, _columns, _ => true, "any column", problems);

    /// <inheritdoc />
    public override IEstimator<ITransformer> CreateEstimator(PreparationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var keep = new HashSet<string>(_columns, StringComparer.Ordinal);
        string[] drop = _keep
            ? context.InputSchema.Select(c => c.Name).Where(n => n != context.LabelColumn && !keep.Contains(n)).ToArray()
            : _columns;
        return drop.Length == 0 ? new EstimatorChain<ITransformer>() : context.MLContext.Transforms.DropColumns(drop);
    }
}
