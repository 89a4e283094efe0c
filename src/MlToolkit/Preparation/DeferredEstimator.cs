using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlToolkit.Preparation;

/// <summary>
/// An estimator whose ML.NET estimator is chosen from the training data at <see cref="Fit"/> time
/// (a median, a most frequent category), so the fitted value comes from the training split only and the
/// fitted transformer is a stock ML.NET one that saves and loads with the model.
/// </summary>
internal sealed class DeferredEstimator : IEstimator<ITransformer>
{
    private readonly Func<IDataView, ITransformer> _fit;
    private readonly Func<SchemaShape, SchemaShape> _shape;

    /// <param name="factory">Creates the real estimator from the training data.</param>
    /// <param name="shape">An estimator with the same output schema, used before data is known.</param>
    public DeferredEstimator(Func<IDataView, IEstimator<ITransformer>> factory, IEstimator<ITransformer> shape)
        : this(data => factory(data).Fit(data), shape.GetOutputSchema)
    {
    }

    /// <param name="fit">Fits the transformer from the training data (it may read the data once, then fit on something else).</param>
    /// <param name="shape">The output schema for an input schema, used before data is known.</param>
    public DeferredEstimator(Func<IDataView, ITransformer> fit, Func<SchemaShape, SchemaShape> shape)
    {
        _fit = fit;
        _shape = shape;
    }

    public ITransformer Fit(IDataView input) => _fit(input);

    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _shape(inputSchema);
}

/// <summary>
/// Estimators over different columns, each fitted on the same input and applied one after another. ML.NET's
/// <c>EstimatorChain</c> fits the k-th estimator on data that passes through the k - 1 transforms before it, so k per-column
/// estimators cost about k² / 2 transform passes; fitted side by side they cost k. The result is the same only when no part
/// reads a column that another part writes, which holds for in-place per-column steps over distinct columns.
/// </summary>
internal sealed class SideBySideEstimator : IEstimator<ITransformer>
{
    private readonly IEstimator<ITransformer>[] _parts;

    public SideBySideEstimator(IEnumerable<IEstimator<ITransformer>> parts)
    {
        _parts = [.. parts];
    }

    public int Count => _parts.Length;

    public ITransformer Fit(IDataView input)
    {
        var fitted = new ITransformer[_parts.Length];
        for (int i = 0; i < _parts.Length; i++)
        {
            fitted[i] = _parts[i].Fit(input);
        }

        return new TransformerChain<ITransformer>(fitted);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        SchemaShape shape = inputSchema;
        foreach (IEstimator<ITransformer> part in _parts)
        {
            shape = part.GetOutputSchema(shape);
        }

        return shape;
    }
}

/// <summary>Helpers for composing estimators.</summary>
internal static class Estimators
{
    /// <summary>
    /// <paramref name="steps"/> as one chain. Each <c>Append</c> copies the chain, so steps are built per kind of column
    /// (a handful), never per column.
    /// </summary>
    public static IEstimator<ITransformer> Chain(IEnumerable<IEstimator<ITransformer>> steps)
    {
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach (IEstimator<ITransformer> step in steps)
        {
            chain = chain.Append(step);
        }

        return chain;
    }
}

/// <summary>
/// ML.NET's expression transform over many columns in one step. The catalog's <c>Expression</c> makes one output column, but
/// the estimator itself takes any number through its internal constructor, bound here once by reflection (as
/// <see cref="Internal.SchemaShapes"/> binds ML.NET's internal schema-shape factory); a chain of k single-column expressions
/// costs about k² to build and apply on wide data. Should a later ML.NET lack the constructor, the columns get one
/// expression each, with the same results.
/// </summary>
internal static class Expressions
{
    private static readonly Func<MLContext, IReadOnlyList<(string Column, string Expression)>, IEstimator<ITransformer>>? ManyColumns = Bind();

    /// <summary>Whether the multi-column constructor was found (pinned by a test on ML.NET 5).</summary>
    public static bool IsMultiColumn => ManyColumns is not null;

    /// <summary>One estimator that replaces each column with its expression of itself (<c>x => …</c>).</summary>
    public static IEstimator<ITransformer> InPlace(MLContext ml, IReadOnlyList<(string Column, string Expression)> columns)
        => ManyColumns is not null && columns.Count > 1
            ? ManyColumns(ml, columns)
            : new SideBySideEstimator(columns.Select(c => ml.Transforms.Expression(c.Column, c.Expression, c.Column)));

    private static Func<MLContext, IReadOnlyList<(string Column, string Expression)>, IEstimator<ITransformer>>? Bind()
    {
        const System.Reflection.BindingFlags Any = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic;
        Type estimator = typeof(Microsoft.ML.Transforms.ExpressionEstimator);
        Type? options = estimator.GetNestedType("ColumnOptions", Any);
        System.Reflection.ConstructorInfo? column = options?.GetConstructor(System.Reflection.BindingFlags.Instance | Any, [typeof(string), typeof(string[]), typeof(string)]);
        System.Reflection.ConstructorInfo? create = options is null ? null : estimator.GetConstructor(System.Reflection.BindingFlags.Instance | Any, [typeof(Microsoft.ML.Runtime.IHostEnvironment), options.MakeArrayType()]);
        if (options is null || column is null || create is null)
        {
            return null;
        }

        return (ml, columns) =>
        {
            var array = Array.CreateInstance(options, columns.Count);
            for (int i = 0; i < columns.Count; i++)
            {
                array.SetValue(column.Invoke([columns[i].Column, new[] { columns[i].Column }, columns[i].Expression]), i);
            }

            return (IEstimator<ITransformer>)create.Invoke([ml, array]);
        };
    }
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
