using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Data;
using MlToolkit.Internal;
using MlToolkit.Preparation;

namespace MlToolkit.Tests.Preparation;

/// <summary>Builds tables and contexts for testing preparation steps directly, and reads their output.</summary>
internal static class PreparationTestKit
{
    public const string Label = "label";

    /// <summary>A table of <paramref name="columns"/> plus an alternating boolean label of the same length.</summary>
    public static DataTable Table(params DataTableColumn[] columns)
    {
        int rows = columns.Length == 0 ? 0 : columns[0].Length;
        bool[] label = Enumerable.Range(0, rows).Select(i => i % 2 == 0).ToArray();
        return new DataTable([.. columns, new BooleanColumn(Label, label)]);
    }

    public static NumberColumn Numbers(string name, params float[] values) => new(name, values);

    public static TextColumn Texts(string name, params string?[] values) => new(name, values);

    /// <summary>A context whose schema and training data are <paramref name="train"/>.</summary>
    public static PreparationContext Context(DataTable train, int seed = 1)
        => new(new MLContext(seed), SchemaShapes.Create(train.Schema), train, Label, MlTask.BinaryClassification, [Label]);

    /// <summary>Fits <paramref name="step"/> on <paramref name="train"/> and transforms <paramref name="apply"/> (the training table when null).</summary>
    public static IDataView FitTransform(IPreprocessor step, DataTable train, DataTable? apply = null)
        => step.CreateEstimator(Context(train)).Fit(train).Transform(apply ?? train);

    public static float[] FloatColumn(IDataView data, string column) => [.. data.GetColumn<float>(column)];

    public static string[] TextColumn(IDataView data, string column)
        => [.. data.GetColumn<ReadOnlyMemory<char>>(column).Select(v => v.ToString())];

    public static float[][] VectorColumn(IDataView data, string column)
        => [.. data.GetColumn<VBuffer<float>>(column).Select(v => v.DenseValues().ToArray())];

    public static int VectorSize(IDataView data, string column)
        => ((VectorDataViewType)data.Schema[column].Type).Size;

    public static IReadOnlyList<string> Problems(PreprocessorBase step, DataTable table)
    {
        var problems = new List<string>();
        step.Validate(Context(table), problems);
        return problems;
    }

    public static double Mean(IEnumerable<float> values)
    {
        float[] present = values.Where(v => !float.IsNaN(v)).ToArray();
        return present.Select(v => (double)v).Average();
    }
}
