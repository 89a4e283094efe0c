using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MlToolkit.Preparation.Encoding;

namespace MlToolkit.Preparation;

/// <summary>Options of <see cref="AutoPreprocessor"/>.</summary>
public sealed class AutoPrepareOptions
{
    /// <summary>Text columns with at most this many distinct values in the training split are one-hot encoded.</summary>
    /// <value>The default value is 100.</value>
    public int MaxOneHotCategories { get; set; } = 100;

    /// <summary>Text columns whose values average at least this many words are featurized as free text; other high-cardinality text is hashed.</summary>
    /// <value>The default value is 3.</value>
    public double MinWordsForFreeText { get; set; } = 3;

    /// <summary>The number of hash bits for high-cardinality categories.</summary>
    /// <value>The default value is 12.</value>
    public int HashBits { get; set; } = 12;

    /// <summary>Whether numeric columns with missing values in the training split get a 0/1 <c>{name}_missing</c> indicator.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool AddMissingIndicators { get; set; } = true;
}

/// <summary>
/// Chooses preparation from the schema and the training split: numbers are mean-imputed (with a missing
/// indicator where the training split has gaps), booleans become 0/1, text with few distinct values is
/// one-hot encoded, long text is featurized, other text is hashed. Used when a pipeline names no preparation.
/// </summary>
public sealed class AutoPreprocessor : PreprocessorBase
{
    private readonly AutoPrepareOptions _options;

    /// <summary>Creates the step.</summary>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    public AutoPreprocessor(AutoPrepareOptions? options = null)
    {
        _options = options ?? new AutoPrepareOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxOneHotCategories, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.HashBits, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.HashBits, 30, nameof(options));
    }

    /// <inheritdoc />
    public override string Name => "AutoPrepare";

    /// <summary>The plan chosen for each feature column, for <c>Describe()</c> and tests.</summary>
    /// <param name="context">The context.</param>
    /// <returns>Column name to treatment, such as <c>OneHot</c> or <c>Impute(Mean)+Indicator</c>.</returns>
    public IReadOnlyDictionary<string, string> Plan(PreparationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var plan = new Dictionary<string, string>(StringComparer.Ordinal);
        bool hasData = context.TrainingData.GetRowCount() is not 0;
        foreach (SchemaShape.Column column in context.InputSchema)
        {
            if (context.ExcludedColumns.Contains(column.Name) || column.Kind != SchemaShape.Column.VectorKind.Scalar)
            {
                continue;
            }

            if (IsNumeric(column))
            {
                bool indicator = _options.AddMissingIndicators && hasData && ColumnStatistics.HasMissingNumber(context.TrainingData, column.Name);
                plan[column.Name] = indicator ? "Impute(Mean)+Indicator" : "Impute(Mean)";
            }
            else if (column.ItemType == BooleanDataViewType.Instance)
            {
                plan[column.Name] = "ToNumber";
            }
            else if (IsText(column))
            {
                plan[column.Name] = hasData ? ChooseText(context.TrainingData, column.Name) : "OneHot";
            }
        }

        return plan;
    }

    /// <inheritdoc />
    public override IEstimator<ITransformer> CreateEstimator(PreparationContext context)
    {
        MLContext ml = context.MLContext;
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach ((string column, string treatment) in Plan(context))
        {
            switch (treatment)
            {
                case "Impute(Mean)+Indicator":
                    chain = chain.Append(ml.Transforms.IndicateMissingValues(column + "_missing", column))
                        .Append(ml.Transforms.Conversion.ConvertType(column + "_missing", column + "_missing", DataKind.Single))
                        .Append(ml.Transforms.ReplaceMissingValues(column, column, MissingValueReplacingEstimator.ReplacementMode.Mean));
                    break;
                case "Impute(Mean)":
                    chain = chain.Append(ml.Transforms.ReplaceMissingValues(column, column, MissingValueReplacingEstimator.ReplacementMode.Mean));
                    break;
                case "ToNumber":
                    chain = chain.Append(ml.Transforms.Conversion.ConvertType(column, column, DataKind.Single));
                    break;
                case "OneHot":
                    chain = chain.Append(ml.Transforms.Categorical.OneHotEncoding(column, column, OneHotEncodingEstimator.OutputKind.Indicator, _options.MaxOneHotCategories));
                    break;
                case "Hashing":
                    chain = chain.Append(ml.Transforms.Categorical.OneHotHashEncoding(column, column, OneHotEncodingEstimator.OutputKind.Indicator, _options.HashBits));
                    break;
                case "FeaturizeText":
                    chain = chain.Append(ml.Transforms.Text.FeaturizeText(column, column));
                    break;
            }
        }

        return chain;
    }

    private string ChooseText(IDataView data, string column)
    {
        Dictionary<string, int> counts = ColumnStatistics.TextCounts(data, column, limit: Math.Max(_options.MaxOneHotCategories, 1000));
        if (counts.Count <= _options.MaxOneHotCategories)
        {
            return "OneHot";
        }

        double words = counts.Sum(p => (double)p.Value * p.Key.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length) / Math.Max(1, counts.Sum(p => p.Value));
        return words >= _options.MinWordsForFreeText ? "FeaturizeText" : "Hashing";
    }
}
