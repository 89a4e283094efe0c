using Microsoft.ML;

namespace MlToolkit.Preparation;

/// <summary>
/// An estimator whose ML.NET estimator is chosen from the training data at <see cref="Fit"/> time
/// (a median, a most frequent category), so the fitted value comes from the training split only and the
/// fitted transformer is a stock ML.NET one that saves and loads with the model.
/// </summary>
internal sealed class DeferredEstimator : IEstimator<ITransformer>
{
    private readonly Func<IDataView, IEstimator<ITransformer>> _factory;
    private readonly IEstimator<ITransformer> _shape;

    /// <param name="factory">Creates the real estimator from the training data.</param>
    /// <param name="shape">An estimator with the same output schema, used before data is known.</param>
    public DeferredEstimator(Func<IDataView, IEstimator<ITransformer>> factory, IEstimator<ITransformer> shape)
    {
        _factory = factory;
        _shape = shape;
    }

    public ITransformer Fit(IDataView input) => _factory(input).Fit(input);

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _shape.GetOutputSchema(inputSchema);
}

/// <summary>Helpers for writing ML.NET expression-language literals.</summary>
internal static class ExpressionLiteral
{
    public static string Number(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A replacement value must be a finite number.");
        }

        return value.ToString("0.0##################", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A text literal: quotes and backslashes escaped, control characters (line breaks included) as \uXXXX.</summary>
    public static string Text(string value)
    {
        var builder = new System.Text.StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                default:
                    if (char.IsControl(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
