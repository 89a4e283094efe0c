using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MlToolkit.Preparation.Encoding;

/// <summary>How text categories become numbers.</summary>
public enum CategoricalEncoding
{
    /// <summary>One 0/1 slot per category seen in the training split.</summary>
    OneHot,

    /// <summary>Categories hashed into 2^<see cref="CategoricalEncodingOptions.HashBits"/> slots: for high cardinality, no dictionary to keep.</summary>
    Hashing,
}

/// <summary>Options of <see cref="CategoricalEncoder"/>.</summary>
public sealed class CategoricalEncodingOptions
{
    /// <summary>The encoding.</summary>
    /// <value>The default value is <see cref="CategoricalEncoding.OneHot"/>.</value>
    public CategoricalEncoding Encoding { get; set; } = CategoricalEncoding.OneHot;

    /// <summary>The text columns to encode in place; empty means every text feature column.</summary>
    /// <value>The default value is empty.</value>
    public IList<string> Columns { get; } = [];

    /// <summary>The number of hash bits for <see cref="CategoricalEncoding.Hashing"/>, from 1 to 30.</summary>
    /// <value>The default value is 12 (4,096 slots).</value>
    public int HashBits { get; set; } = 12;

    /// <summary>
    /// The largest number of categories kept for <see cref="CategoricalEncoding.OneHot"/>: the most frequent in the
    /// training split (ties by ordinal order); the others encode as all zeros.
    /// </summary>
    /// <value>The default value is 1,000.</value>
    public int MaxCategories { get; set; } = 1000;
}

/// <summary>
/// Encodes text categories as numbers, in place. <b>Unseen-category policy:</b> a category that was not in the
/// training split (or beyond <see cref="CategoricalEncodingOptions.MaxCategories"/>), and a missing (empty) value,
/// both encode as an all-zero vector, so the row is still scored; with hashing, an unseen category lands in its hash slot.
/// </summary>
public sealed class CategoricalEncoder : PreprocessorBase
{
    private readonly CategoricalEncodingOptions _options;

    /// <summary>Creates the step.</summary>
    /// <param name="options">The options.</param>
    public CategoricalEncoder(CategoricalEncodingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HashBits, 1, nameof(options.HashBits));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.HashBits, 30, nameof(options.HashBits));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxCategories, 1, nameof(options.MaxCategories));
        _options = options;
    }

    /// <inheritdoc />
    public override string Name => $"{_options.Encoding}({(_options.Columns.Count == 0 ? "all text" : string.Join(", ", _options.Columns))})";

    /// <inheritdoc />
    public override void Validate(PreparationContext context, IList<string> problems)
        => RequireColumns(context, _options.Columns, IsText, "a text column", problems);

    /// <inheritdoc />
    public override IEstimator<ITransformer> CreateEstimator(PreparationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IReadOnlyList<string> columns = _options.Columns.Count > 0 ? _options.Columns.ToList() : context.FeatureColumns(IsText);
        InputOutputColumnPair[] pairs = columns.Select(c => new InputOutputColumnPair(c, c)).ToArray();
        if (pairs.Length == 0)
        {
            return new EstimatorChain<ITransformer>();
        }

        MLContext ml = context.MLContext;
        if (_options.Encoding == CategoricalEncoding.Hashing)
        {
            return ml.Transforms.Categorical.OneHotHashEncoding(pairs, OneHotEncodingEstimator.OutputKind.Indicator, _options.HashBits);
        }

        return new DeferredEstimator(data => FitOneHot(ml, pairs, data), ml.Transforms.Categorical.OneHotEncoding(pairs).GetOutputSchema);
    }

    /// <summary>
    /// One-hot over the training split's categories, with the categories of every column counted in one pass: one ML.NET
    /// estimator for all the columns within <see cref="CategoricalEncodingOptions.MaxCategories"/>; beyond it only the most
    /// frequent are kept (ties by ordinal order), which ML.NET's own key limit does not do (it keeps the first seen), so each
    /// such column gets its own estimator with the categories to keep.
    /// </summary>
    private ITransformer FitOneHot(MLContext ml, InputOutputColumnPair[] pairs, IDataView data)
    {
        ColumnStatistics statistics = ColumnStatistics.Compute(data, new StatisticsRequest().TextCounts(pairs.Select(p => p.InputColumnName)));
        var within = new List<InputOutputColumnPair>();
        var beyond = new List<IEstimator<ITransformer>>();
        foreach (InputOutputColumnPair pair in pairs)
        {
            if (!statistics.TryGetText(pair.InputColumnName, out TextSummary? counts))
            {
                throw new ArgumentOutOfRangeException(nameof(data), pair.InputColumnName, $"{Name}: column '{pair.InputColumnName}' is not a text column of the data this step is fitted on.");
            }

            if (counts.Counts.Count <= _options.MaxCategories)
            {
                within.Add(pair);
            }
            else
            {
                IDataView keep = ml.Data.LoadFromEnumerable(counts.MostFrequent(_options.MaxCategories).Select(v => new Category { Value = v }));
                beyond.Add(ml.Transforms.Categorical.OneHotEncoding(pair.OutputColumnName, pair.InputColumnName, OneHotEncodingEstimator.OutputKind.Indicator, _options.MaxCategories, ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence, keep));
            }
        }

        var steps = new List<IEstimator<ITransformer>>();
        if (within.Count > 0)
        {
            steps.Add(ml.Transforms.Categorical.OneHotEncoding([.. within], OneHotEncodingEstimator.OutputKind.Indicator, _options.MaxCategories, ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence));
        }

        if (beyond.Count > 0)
        {
            steps.Add(new SideBySideEstimator(beyond));
        }

        return Estimators.Chain(steps).Fit(data);
    }

    private sealed class Category
    {
        public string Value { get; set; } = string.Empty;
    }
}
