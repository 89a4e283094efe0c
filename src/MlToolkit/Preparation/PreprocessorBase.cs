using MlToolkit.Internal;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlToolkit.Preparation;

/// <summary>
/// Shared plumbing for preparation steps that work on named columns: the columns are checked for
/// presence and kind when the pipeline is validated, with one message per problem.
/// </summary>
public abstract class PreprocessorBase : IPreprocessor
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public abstract IEstimator<ITransformer> CreateEstimator(PreparationContext context);

    /// <summary>
    /// Checks this step against the schema it will receive, adding one sentence per problem.
    /// The default checks nothing; steps that name columns override it.
    /// </summary>
    /// <param name="context">The context (its data may be empty).</param>
    /// <param name="problems">Where problems go.</param>
    public virtual void Validate(PreparationContext context, IList<string> problems)
    {
    }

    /// <summary>Adds a problem for each named column that is missing or whose kind <paramref name="accepts"/> refuses.</summary>
    /// <param name="context">The context.</param>
    /// <param name="columns">The columns to check.</param>
    /// <param name="accepts">Whether a column's shape is acceptable.</param>
    /// <param name="expected">What was expected, for the message (for example "a number").</param>
    /// <param name="problems">Where problems go.</param>
    protected void RequireColumns(PreparationContext context, IEnumerable<string> columns, Func<SchemaShape.Column, bool> accepts, string expected, IList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(accepts);
        ArgumentNullException.ThrowIfNull(problems);
        var shapes = new Dictionary<string, SchemaShape.Column>(StringComparer.Ordinal);
        foreach (SchemaShape.Column c in context.InputSchema)
        {
            shapes.TryAdd(c.Name, c);
        }

        foreach (string name in columns)
        {
            if (!shapes.TryGetValue(name, out SchemaShape.Column column))
            {
                string known = string.Join(", ", context.InputSchema.Select(c => c.Name));
                problems.Add($"{Name}: column '{name}' does not exist; the columns are: {known}.");
            }
            else if (name == context.LabelColumn)
            {
                problems.Add($"{Name}: column '{name}' is the label; preparation never changes the label.");
            }
            else if (!accepts(column))
            {
                problems.Add($"{Name}: column '{name}' is {Describe(column)}, but this step needs {expected}.");
            }
        }
    }

    /// <summary>Whether a column holds single-precision numbers (scalar or vector).</summary>
    /// <param name="column">The column.</param>
    /// <returns><see langword="true"/> for numeric columns.</returns>
    protected static bool IsNumeric(SchemaShape.Column column) => column.ItemType == NumberDataViewType.Single && !column.IsKey;

    /// <summary>Whether a column holds text (scalar).</summary>
    /// <param name="column">The column.</param>
    /// <returns><see langword="true"/> for text columns.</returns>
    protected static bool IsText(SchemaShape.Column column) => column.ItemType == TextDataViewType.Instance && column.Kind == SchemaShape.Column.VectorKind.Scalar;

    /// <summary>Describes a column's type in words.</summary>
    /// <param name="column">The column.</param>
    /// <returns>A phrase such as "text" or "a vector of numbers".</returns>
    protected static string Describe(SchemaShape.Column column)
    {
        string item = column.ItemType is null ? "unknown"
            : column.ItemType == TextDataViewType.Instance ? "text"
            : column.ItemType == BooleanDataViewType.Instance ? "boolean"
            : column.IsKey ? "a key"
            : column.ItemType == NumberDataViewType.Single ? "numeric"
            : column.ItemType.ToString() ?? "unknown";
        return column.Kind == SchemaShape.Column.VectorKind.Scalar ? item : $"a vector ({item})";
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
