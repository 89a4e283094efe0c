using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlToolkit.Preparation.Text;

/// <summary>
/// Turns free text into a numeric vector in place (ML.NET's <c>FeaturizeText</c>: normalized word and
/// character n-grams with TF-IDF style weights), with the vocabulary learnt from the training split.
/// </summary>
public sealed class TextFeaturizer : PreprocessorBase
{
    private readonly string[] _columns;

    /// <summary>Creates the step.</summary>
    /// <param name="columns">The text columns; at least one.</param>
    public TextFeaturizer(params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0 || columns.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("Name at least one text column, none of them empty.", nameof(columns));
        }

        _columns = columns;
    }

    /// <inheritdoc />
    public override string Name => $"FeaturizeText({string.Join(", ", _columns)})";

    /// <inheritdoc />
    public override void Validate(PreparationContext context, IList<string> problems)
        => RequireColumns(context, _columns, IsText, "a text column", problems);

    /// <inheritdoc />
    public override IEstimator<ITransformer> CreateEstimator(PreparationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // A featurizer per column (ML.NET's multi-column FeaturizeText concatenates its inputs into one output), fitted side by
        // side so that k columns cost k passes, not k passes through ever longer chains.
        return new SideBySideEstimator(_columns.Select(c => context.MLContext.Transforms.Text.FeaturizeText(c, c)));
    }
}
