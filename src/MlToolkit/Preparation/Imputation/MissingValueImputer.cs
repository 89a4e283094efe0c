using MlToolkit.Data;
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
    /// <remarks>
    /// One ML.NET step per kind over all the columns: the indicators and their conversion to 0/1, one
    /// <c>ReplaceMissingValues</c> for every numeric column (for the median, most frequent value and constant it holds the
    /// values chosen from one pass over the training data), one expression step for every text column.
    /// </remarks>
    public override IEstimator<ITransformer> CreateEstimator(PreparationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IReadOnlyList<string> columns = _options.Columns.Count > 0
            ? _options.Columns.ToList()
            : context.FeatureColumns(c => c.Kind == SchemaShape.Column.VectorKind.Scalar && (IsNumeric(c) || (AcceptsText && IsText(c))));
        var shapes = new Dictionary<string, SchemaShape.Column>(StringComparer.Ordinal);
        foreach (SchemaShape.Column column in context.InputSchema)
        {
            shapes.TryAdd(column.Name, column);
        }

        var numbers = new List<string>();
        var texts = new List<string>();
        foreach (string column in columns)
        {
            (shapes.TryGetValue(column, out SchemaShape.Column shape) && IsText(shape) ? texts : numbers).Add(column);
        }

        MLContext ml = context.MLContext;
        var steps = new List<IEstimator<ITransformer>>();
        if (_options.AddMissingIndicator && numbers.Count > 0)
        {
            // From the raw training split, in one pass; a column it does not have (added by an earlier step) gets no indicator.
            ColumnStatistics statistics = ColumnStatistics.Compute(context.TrainingData, new StatisticsRequest().MissingFlags(numbers));
            InputOutputColumnPair[] indicators = [.. numbers
                .Where(c => statistics.TryGetNumber(c, out NumberSummary? summary) && summary.HasMissing)
                .Select(c => new InputOutputColumnPair(c + "_missing", c))];
            if (indicators.Length > 0)
            {
                steps.Add(ml.Transforms.IndicateMissingValues(indicators));
                steps.Add(ml.Transforms.Conversion.ConvertType([.. indicators.Select(p => new InputOutputColumnPair(p.OutputColumnName, p.OutputColumnName))], DataKind.Single));
            }
        }

        if (numbers.Count > 0)
        {
            steps.Add(NumberEstimator(ml, numbers));
        }

        if (texts.Count > 0)
        {
            steps.Add(TextEstimator(ml, texts));
        }

        return Estimators.Chain(steps);
    }

    private IEstimator<ITransformer> NumberEstimator(MLContext ml, List<string> columns)
    {
        InputOutputColumnPair[] pairs = [.. columns.Select(c => new InputOutputColumnPair(c, c))];
        IEstimator<ITransformer> mean = ml.Transforms.ReplaceMissingValues(pairs, MissingValueReplacingEstimator.ReplacementMode.Mean);
        return _options.Strategy switch
        {
            ImputationStrategy.Mean => mean,
            ImputationStrategy.Constant => new DeferredEstimator(_ => Constants(ml, pairs, columns.Select(_ => (double)_options.ConstantNumber)), mean.GetOutputSchema),
            _ => new DeferredEstimator(
                data =>
                {
                    // One pass over the data this step is fitted on, for every column's median or most frequent value.
                    ColumnStatistics statistics = ColumnStatistics.Compute(data, new StatisticsRequest().NumberValues(columns));
                    return Constants(ml, pairs, columns.Select(c => Chosen(statistics, c)));
                },
                mean.GetOutputSchema),
        };

        double Chosen(ColumnStatistics statistics, string column)
        {
            NumberSummary summary = statistics.TryGetNumber(column, out NumberSummary? found) ? found : throw NotInData(column, "numeric");
            return _options.Strategy == ImputationStrategy.Median ? summary.Median() : summary.MostFrequent();
        }
    }

    /// <summary>
    /// One <c>ReplaceMissingValues</c> for all <paramref name="pairs"/> that replaces a missing value with the column's value of
    /// <paramref name="values"/>: ML.NET's mean imputation fitted on a single row that holds those values (the mean of one
    /// value is that value), so the fitted step is the stock transformer that saves, loads and exports to ONNX.
    /// </summary>
    private static ITransformer Constants(MLContext ml, InputOutputColumnPair[] pairs, IEnumerable<double> values)
    {
        var row = new List<DataTableColumn>(pairs.Length);
        int i = 0;
        foreach (double value in values)
        {
            if (!double.IsFinite(value) || Math.Abs(value) > float.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(values), value, $"A replacement value must be a finite number; the one for column '{pairs[i].InputColumnName}' is {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
            }

            row.Add(new NumberColumn(pairs[i].InputColumnName, [(float)value]));
            i++;
        }

        return ml.Transforms.ReplaceMissingValues(pairs, MissingValueReplacingEstimator.ReplacementMode.Mean).Fit(new DataTable(row));
    }

    private IEstimator<ITransformer> TextEstimator(MLContext ml, List<string> columns)
    {
        IEstimator<ITransformer> Constants(IEnumerable<string> values)
            => Expressions.InPlace(ml, [.. columns.Zip(values, (c, v) => (c, $"x => x == \"\" ? {ExpressionLiteral.Text(v)} : x"))]);
        if (_options.Strategy == ImputationStrategy.Constant)
        {
            return Constants(columns.Select(_ => _options.ConstantText));
        }

        return new DeferredEstimator(
            data =>
            {
                // One pass over the data this step is fitted on, for every column's most frequent value.
                ColumnStatistics statistics = ColumnStatistics.Compute(data, new StatisticsRequest().TextCounts(columns));
                return Constants(columns.Select(c => Mode(statistics, c))).Fit(data);
            },
            Constants(columns.Select(_ => string.Empty)).GetOutputSchema);

        string Mode(ColumnStatistics statistics, string column)
            => statistics.TryGetText(column, out TextSummary? summary)
                ? summary.MostFrequent() ?? _options.ConstantText
                : throw NotInData(column, "text");
    }

    private ArgumentOutOfRangeException NotInData(string column, string kind)
        => new(nameof(column), column, $"{Name}: column '{column}' is not a {kind} column of the data this step is fitted on.");
}
