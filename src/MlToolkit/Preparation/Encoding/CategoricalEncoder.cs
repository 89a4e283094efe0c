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

        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach (string column in columns)
        {
            chain = chain.Append(new DeferredEstimator(data => OneHot(ml, column, data), ml.Transforms.Categorical.OneHotEncoding(column, column)));
        }

        return chain;
    }

    /// <summary>
    /// One-hot over the training split's categories; beyond <see cref="CategoricalEncodingOptions.MaxCategories"/> only the most
    /// frequent are kept (ties by ordinal order), which ML.NET's own key limit does not do (it keeps the first seen).
    /// </summary>
    private IEstimator<ITransformer> OneHot(MLContext ml, string column, IDataView data)
    {
        Dictionary<string, int> counts = ColumnStatistics.TextCounts(data, column);
        if (counts.Count <= _options.MaxCategories)
        {
            return ml.Transforms.Categorical.OneHotEncoding(column, column, OneHotEncodingEstimator.OutputKind.Indicator, _options.MaxCategories, ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence);
        }

        IDataView keep = ml.Data.LoadFromEnumerable(counts
            .OrderByDescending(p => p.Value)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(_options.MaxCategories)
            .Select(p => new Category { Value = p.Key }));
        return ml.Transforms.Categorical.OneHotEncoding(column, column, OneHotEncodingEstimator.OutputKind.Indicator, _options.MaxCategories, ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence, keep);
    }

    private sealed class Category
    {
        public string Value { get; set; } = string.Empty;
    }
}
