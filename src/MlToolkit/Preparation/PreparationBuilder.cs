using MlToolkit.Preparation.Encoding;
using MlToolkit.Preparation.Imputation;
using MlToolkit.Preparation.Scaling;
using MlToolkit.Preparation.Text;

namespace MlToolkit.Preparation;

/// <summary>A fluent list of preparation steps, applied in the order they are added.</summary>
public sealed class PreparationBuilder
{
    private readonly List<IPreprocessor> _steps = [];

    /// <summary>The steps added so far.</summary>
    public IReadOnlyList<IPreprocessor> Steps => _steps;

    /// <summary>Adds any step.</summary>
    /// <param name="step">The step.</param>
    /// <returns>This builder.</returns>
    public PreparationBuilder Add(IPreprocessor step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _steps.Add(step);
        return this;
    }

    /// <summary>Imputes missing values of <paramref name="columns"/> (all numeric feature columns when none are named).</summary>
    /// <param name="strategy">How the replacement is chosen.</param>
    /// <param name="columns">The columns.</param>
    /// <returns>This builder.</returns>
    public PreparationBuilder ImputeMissing(ImputationStrategy strategy = ImputationStrategy.Mean, params string[] columns)
    {
        var options = new ImputationOptions { Strategy = strategy };
        foreach (string c in columns)
        {
            options.Columns.Add(c);
        }

        return Add(new MissingValueImputer(options));
    }

    /// <summary>Imputes missing values with full options.</summary>
    /// <param name="options">The options.</param>
    /// <returns>This builder.</returns>
    public PreparationBuilder ImputeMissing(ImputationOptions options) => Add(new MissingValueImputer(options));

    /// <summary>One-hot encodes text <paramref name="columns"/> (all text feature columns when none are named).</summary>
    /// <param name="columns">The columns.</param>
    /// <returns>This builder.</returns>
    public PreparationBuilder OneHotEncode(params string[] columns) => Encode(CategoricalEncoding.OneHot, 12, columns);

    /// <summary>Hash-encodes text <paramref name="columns"/> into 2^<paramref name="bits"/> slots.</summary>
    /// <param name="bits">The number of hash bits.</param>
    /// <param name="columns">The columns.</param>
    /// <returns>This builder.</returns>
    public PreparationBuilder HashEncode(int bits = 12, params string[] columns) => Encode(CategoricalEncoding.Hashing, bits, columns);

    /// <summary>Encodes categories with full options.</summary>
    /// <param name="options">The options.</param>
    /// <returns>This builder.</returns>
    public PreparationBuilder Encode(CategoricalEncodingOptions options) => Add(new CategoricalEncoder(options));

    /// <summary>Scales numeric <paramref name="columns"/> (all numeric feature columns when none are named).</summary>
    /// <param name="method">The method.</param>
    /// <param name="columns">The columns.</param>
    /// <returns>This builder.</returns>
    public PreparationBuilder Scale(ScalingMethod method = ScalingMethod.MinMax, params string[] columns)
    {
        var options = new ScalingOptions { Method = method };
        foreach (string c in columns)
        {
            options.Columns.Add(c);
        }

        return Add(new Scaler(options));
    }

    /// <summary>Featurizes free-text <paramref name="columns"/>.</summary>
    /// <param name="columns">The columns.</param>
    /// <returns>This builder.</returns>
    public PreparationBuilder FeaturizeText(params string[] columns) => Add(new TextFeaturizer(columns));

    /// <summary>Keeps only <paramref name="columns"/> as features.</summary>
    /// <param name="columns">The columns.</param>
    /// <returns>This builder.</returns>
    public PreparationBuilder Select(params string[] columns) => Add(ColumnSelector.Keep(columns));

    /// <summary>Drops <paramref name="columns"/>.</summary>
    /// <param name="columns">The columns.</param>
    /// <returns>This builder.</returns>
    public PreparationBuilder Drop(params string[] columns) => Add(ColumnSelector.Drop(columns));

    /// <summary>Adds the automatic preparation for the columns that earlier steps left as they were.</summary>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <returns>This builder.</returns>
    public PreparationBuilder Auto(AutoPrepareOptions? options = null) => Add(new AutoPreprocessor(options));

    private PreparationBuilder Encode(CategoricalEncoding encoding, int bits, string[] columns)
    {
        var options = new CategoricalEncodingOptions { Encoding = encoding, HashBits = bits };
        foreach (string c in columns)
        {
            options.Columns.Add(c);
        }

        return Add(new CategoricalEncoder(options));
    }
}
