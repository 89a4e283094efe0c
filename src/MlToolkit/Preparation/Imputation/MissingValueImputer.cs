using MlToolkit.Internal;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MlToolkit.Preparation.Imputation;

/// <summary>How <see cref="MissingValueImputer"/> chooses a replacement for missing values.</summary>
public enum ImputationStrategy
{
    /// <summary>The training split's mean (numbers only).</summary>
    Mean,

    /// <summary>The training split's median (numbers only).</summary>
    Median,

    /// <summary>The training split's most frequent value (numbers and text; ties go to the smallest).</summary>
    MostFrequent,

    /// <summary>A constant from <see cref="ImputationOptions.ConstantNumber"/> or <see cref="ImputationOptions.ConstantText"/>.</summary>
    Constant,
}

/// <summary>Options of <see cref="MissingValueImputer"/>.</summary>
public sealed class ImputationOptions
{
    /// <summary>How the replacement is chosen.</summary>
    /// <value>The default value is <see cref="ImputationStrategy.Mean"/>.</value>
    public ImputationStrategy Strategy { get; set; } = ImputationStrategy.Mean;

    /// <summary>The columns to impute; empty means every numeric feature column (and every text feature column for <see cref="ImputationStrategy.MostFrequent"/> and <see cref="ImputationStrategy.Constant"/>).</summary>
    /// <value>The default value is empty.</value>
    public IList<string> Columns { get; } = [];

    /// <summary>Whether to add, for each numeric column that has missing values in the training split, a 0/1 column <c>{name}_missing</c>.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AddMissingIndicator { get; set; }

    /// <summary>The replacement for numbers with <see cref="ImputationStrategy.Constant"/>.</summary>
    /// <value>The default value is 0.</value>
    public float ConstantNumber { get; set; }

    /// <summary>The replacement for text with <see cref="ImputationStrategy.Constant"/>.</summary>
    /// <value>The default value is <c>"missing"</c>.</value>
    public string ConstantText { get; set; } = "missing";
}

/// <summary>
/// Replaces missing values (NaN numbers, empty text) with a value fitted on the training split:
/// mean, median, most frequent or a constant, optionally adding a missing indicator.
/// </summary>
public sealed class MissingValueImputer : PreprocessorBase
{
    private readonly ImputationOptions _options;

    /// <summary>Creates the step.</summary>
    /// <param name="options">The options.</param>
    public MissingValueImputer(ImputationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Strategy == ImputationStrategy.Constant && !float.IsFinite(options.ConstantNumber))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ConstantNumber, "ConstantNumber must be a finite number.");
        }

        ArgumentNullException.ThrowIfNull(options.ConstantText, nameof(options.ConstantText));
        _options = options;
    }

    /// <inheritdoc />
    public override string Name => $"Impute{_options.Strategy}({(_options.Columns.Count == 0 ? "all" : string.Join(", ", _options.Columns))}{(_options.AddMissingIndicator ? ", +indicator" : string.Empty)})";

    private bool AcceptsText => _options.Strategy is ImputationStrategy.MostFrequent or ImputationStrategy.Constant;

    /// <inheritdoc />
    public override void Validate(PreparationContext context, IList<string> problems)
    {
        RequireColumns(context, _options.Columns,
            c => c.Kind == SchemaShape.Column.VectorKind.Scalar && (IsNumeric(c) || (AcceptsText && IsText(c))),
            AcceptsText ? "a numeric or text column" : "a numeric column (mean and median do not apply to text)",
            problems);
    }

    /// <inheritdoc />
    public override IEstimator<ITransformer> CreateEstimator(PreparationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IReadOnlyList<string> columns = _options.Columns.Count > 0
            ? _options.Columns.ToList()
            : context.FeatureColumns(c => c.Kind == SchemaShape.Column.VectorKind.Scalar && (IsNumeric(c) || (AcceptsText && IsText(c))));
        MLContext ml = context.MLContext;
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach (string column in columns)
        {
            context.InputSchema.TryFind(column, out SchemaShape.Column shape);
            bool text = IsText(shape);
            if (!text && _options.AddMissingIndicator && ColumnStatistics.HasMissingNumber(context.TrainingData, column))
            {
                string indicator = column + "_missing";
                chain = chain.Append(ml.Transforms.IndicateMissingValues(indicator, column))
                    .Append(ml.Transforms.Conversion.ConvertType(indicator, indicator, DataKind.Single));
            }

            chain = chain.Append(text ? TextEstimator(ml, column) : NumberEstimator(ml, column));
        }

        return chain;
    }

    private IEstimator<ITransformer> NumberEstimator(MLContext ml, string column)
    {
        IEstimator<ITransformer> Constant(double value) => ml.Transforms.Expression(column, $"x => isna(x) ? {ExpressionLiteral.Number(value)} : x", column);
        return _options.Strategy switch
        {
            ImputationStrategy.Mean => ml.Transforms.ReplaceMissingValues(column, column, MissingValueReplacingEstimator.ReplacementMode.Mean),
            ImputationStrategy.MostFrequent => new DeferredEstimator(data => Constant(ColumnStatistics.MostFrequentNumber(data, column)), Constant(0)),
            ImputationStrategy.Median => new DeferredEstimator(data => Constant(ColumnStatistics.Median(data, column)), Constant(0)),
            _ => Constant(_options.ConstantNumber),
        };
    }

    private IEstimator<ITransformer> TextEstimator(MLContext ml, string column)
    {
        IEstimator<ITransformer> Constant(string value) => ml.Transforms.Expression(column, $"x => x == \"\" ? {ExpressionLiteral.Text(value)} : x", column);
        return _options.Strategy == ImputationStrategy.Constant
            ? Constant(_options.ConstantText)
            : new DeferredEstimator(data => Constant(ColumnStatistics.MostFrequentText(data, column) ?? _options.ConstantText), Constant(string.Empty));
    }
}
