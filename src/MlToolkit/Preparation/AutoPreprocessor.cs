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
    /// <returns>Column name to treatment, such as <c>OneHot</c> or <c>Impute(Mean)+Indicator</c>, in schema order.</returns>
    /// <remarks>
    /// The training data is read once for all columns (missing values of the numbers, distinct values and words of the
    /// text). A column that the training data does not have (one an earlier step adds) is planned as if there were no
    /// data: mean imputation without an indicator, or one-hot encoding. A numeric column gets no indicator when a column
    /// named <c>{name}_missing</c> already exists (an earlier imputer's indicator, or the data's own column), which the
    /// indicator would overwrite.
    /// </remarks>
    public IReadOnlyDictionary<string, string> Plan(PreparationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var columns = new List<(string Name, ColumnKind Kind)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (SchemaShape.Column column in context.InputSchema)
        {
            names.Add(column.Name);
            if (context.ExcludedColumns.Contains(column.Name) || column.Kind != SchemaShape.Column.VectorKind.Scalar)
            {
                continue;
            }

            if (IsNumeric(column))
            {
                columns.Add((column.Name, ColumnKind.Number));
            }
            else if (column.ItemType == BooleanDataViewType.Instance)
            {
                columns.Add((column.Name, ColumnKind.Boolean));
            }
            else if (IsText(column))
            {
                columns.Add((column.Name, ColumnKind.Text));
            }
        }

        var request = new StatisticsRequest();
        if (context.TrainingData.GetRowCount() is not 0)
        {
            request.TextCounts(columns.Where(c => c.Kind == ColumnKind.Text).Select(c => c.Name), limit: Math.Max(_options.MaxOneHotCategories, 1000));
            if (_options.AddMissingIndicators)
            {
                request.MissingFlags(columns.Where(c => c.Kind == ColumnKind.Number).Select(c => c.Name));
            }
        }

        ColumnStatistics statistics = ColumnStatistics.Compute(context.TrainingData, request);
        var plan = new Dictionary<string, string>(columns.Count, StringComparer.Ordinal);
        foreach ((string name, ColumnKind kind) in columns)
        {
            plan[name] = kind switch
            {
                ColumnKind.Number => statistics.TryGetNumber(name, out NumberSummary? numbers) && numbers.HasMissing && !names.Contains(name + "_missing")
                    ? "Impute(Mean)+Indicator"
                    : "Impute(Mean)",
                ColumnKind.Boolean => "ToNumber",
                _ => statistics.TryGetText(name, out TextSummary? texts) ? ChooseText(texts) : "OneHot",
            };
        }

        return plan;
    }

    /// <inheritdoc />
    /// <remarks>
    /// One ML.NET step per kind over all its columns (indicators, their conversion, mean imputation, booleans, one-hot,
    /// hashing), so that the chain's length does not grow with the number of columns; only free text has a step per column,
    /// fitted side by side. The feature vector's columns come in the same order as with a step per column.
    /// </remarks>
    public override IEstimator<ITransformer> CreateEstimator(PreparationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        MLContext ml = context.MLContext;
        var indicators = new List<InputOutputColumnPair>();
        var indicatorsToNumbers = new List<InputOutputColumnPair>();
        var means = new List<InputOutputColumnPair>();
        var booleans = new List<InputOutputColumnPair>();
        var oneHot = new List<InputOutputColumnPair>();
        var hashing = new List<InputOutputColumnPair>();
        var freeText = new List<string>();
        foreach ((string column, string treatment) in Plan(context))
        {
            switch (treatment)
            {
                case "Impute(Mean)+Indicator":
                    indicators.Add(new InputOutputColumnPair(column + "_missing", column));
                    indicatorsToNumbers.Add(new InputOutputColumnPair(column + "_missing", column + "_missing"));
                    means.Add(new InputOutputColumnPair(column, column));
                    break;
                case "Impute(Mean)":
                    means.Add(new InputOutputColumnPair(column, column));
                    break;
                case "ToNumber":
                    booleans.Add(new InputOutputColumnPair(column, column));
                    break;
                case "OneHot":
                    oneHot.Add(new InputOutputColumnPair(column, column));
                    break;
                case "Hashing":
                    hashing.Add(new InputOutputColumnPair(column, column));
                    break;
                case "FeaturizeText":
                    freeText.Add(column);
                    break;
            }
        }

        var steps = new List<IEstimator<ITransformer>>();
        if (indicators.Count > 0)
        {
            // The indicators read the columns before they are imputed.
            steps.Add(ml.Transforms.IndicateMissingValues([.. indicators]));
            steps.Add(ml.Transforms.Conversion.ConvertType([.. indicatorsToNumbers], DataKind.Single));
        }

        if (means.Count > 0)
        {
            steps.Add(ml.Transforms.ReplaceMissingValues([.. means], MissingValueReplacingEstimator.ReplacementMode.Mean));
        }

        if (booleans.Count > 0)
        {
            steps.Add(ml.Transforms.Conversion.ConvertType([.. booleans], DataKind.Single));
        }

        if (oneHot.Count > 0)
        {
            steps.Add(ml.Transforms.Categorical.OneHotEncoding([.. oneHot], OneHotEncodingEstimator.OutputKind.Indicator, _options.MaxOneHotCategories));
        }

        if (hashing.Count > 0)
        {
            steps.Add(ml.Transforms.Categorical.OneHotHashEncoding([.. hashing], OneHotEncodingEstimator.OutputKind.Indicator, _options.HashBits));
        }

        if (freeText.Count > 0)
        {
            steps.Add(new SideBySideEstimator(freeText.Select(c => ml.Transforms.Text.FeaturizeText(c, c))));
        }

        return Estimators.Chain(steps);
    }

    private string ChooseText(TextSummary counts)
    {
        if (counts.Counts.Count <= _options.MaxOneHotCategories)
        {
            return "OneHot";
        }

        return counts.AverageWords() >= _options.MinWordsForFreeText ? "FeaturizeText" : "Hashing";
    }

    private enum ColumnKind
    {
        Number,
        Boolean,
        Text,
    }
}
