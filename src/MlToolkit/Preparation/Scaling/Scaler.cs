using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlToolkit.Preparation.Scaling;

/// <summary>How <see cref="Scaler"/> rescales numbers.</summary>
public enum ScalingMethod
{
    /// <summary>To [0, 1] by the training split's minimum and maximum.</summary>
    MinMax,

    /// <summary>To zero mean and unit variance by the training split's statistics.</summary>
    Standard,
}

/// <summary>Options of <see cref="Scaler"/>.</summary>
public sealed class ScalingOptions
{
    /// <summary>The method.</summary>
    /// <value>The default value is <see cref="ScalingMethod.MinMax"/>.</value>
    public ScalingMethod Method { get; set; } = ScalingMethod.MinMax;

    /// <summary>The numeric columns to scale in place; empty means every numeric feature column at this point.</summary>
    /// <value>The default value is empty.</value>
    public IList<string> Columns { get; } = [];
}

/// <summary>Rescales numeric columns in place with statistics of the training split.</summary>
public sealed class Scaler : PreprocessorBase
{
    private readonly ScalingOptions _options;

    /// <summary>Creates the step.</summary>
    /// <param name="options">The options.</param>
    public Scaler(ScalingOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <inheritdoc />
    public override string Name => $"Scale{_options.Method}({(_options.Columns.Count == 0 ? "all numeric" : string.Join(", ", _options.Columns))})";

    /// <inheritdoc />
    public override void Validate(PreparationContext context, IList<string> problems)
        => RequireColumns(context, _options.Columns, c => IsNumeric(c) && c.Kind != SchemaShape.Column.VectorKind.VariableVector, "a numeric column", problems);

    /// <inheritdoc />
    public override IEstimator<ITransformer> CreateEstimator(PreparationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        IReadOnlyList<string> columns = _options.Columns.Count > 0
            ? _options.Columns.ToList()
            : context.FeatureColumns(c => IsNumeric(c) && c.Kind != SchemaShape.Column.VectorKind.VariableVector);
        InputOutputColumnPair[] pairs = columns.Select(c => new InputOutputColumnPair(c, c)).ToArray();
        if (pairs.Length == 0)
        {
            return new EstimatorChain<ITransformer>();
        }

        // fixZero: false, so that min-max maps the training minimum to 0 and standard scaling subtracts the mean
        // (ML.NET's default keeps zero at zero, which divides by the largest magnitude instead).
        return _options.Method == ScalingMethod.MinMax
            ? context.MLContext.Transforms.NormalizeMinMax(pairs, fixZero: false)
            : context.MLContext.Transforms.NormalizeMeanVariance(pairs, fixZero: false);
    }
}
