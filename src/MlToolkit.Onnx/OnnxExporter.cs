using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Storage;

namespace MlToolkit.Onnx;

/// <summary>What an ONNX export wrote and how closely ONNX Runtime reproduced ML.NET.</summary>
/// <param name="Bytes">The size of the ONNX model.</param>
/// <param name="RowsCompared">How many sample rows were scored by both runtimes.</param>
/// <param name="ComparedColumns">The output columns compared (ML.NET name).</param>
/// <param name="MaxAbsoluteDifference">The largest absolute difference between ML.NET and ONNX Runtime outputs.</param>
public sealed record OnnxExportResult(long Bytes, int RowsCompared, IReadOnlyList<string> ComparedColumns, double MaxAbsoluteDifference);

/// <summary>Thrown when a model cannot be exported to ONNX, naming the step that cannot convert, or when the parity check fails.</summary>
public sealed class OnnxExportException : MlToolkitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="failingStep">The transformer that cannot be converted, when that is the cause.</param>
    /// <param name="innerException">The cause.</param>
    public OnnxExportException(string message, string? failingStep = null, Exception? innerException = null)
        : base(PipelineStage.Deployment, "onnx", message, innerException)
    {
        FailingStep = failingStep;
    }

    /// <summary>The transformer that cannot be converted (its ML.NET type name), when that is the cause.</summary>
    public string? FailingStep { get; }
}

/// <summary>
/// Exports an ML.NET model (preparation and trainer) to ONNX. Before anything is written, the ONNX model is run by
/// ONNX Runtime on the sample rows and its outputs are compared with ML.NET's; a difference beyond the tolerance fails
/// the export. Pipelines ML.NET cannot convert (text featurizing, expression transforms such as the imputation of text columns) fail
/// with an <see cref="OnnxExportException"/> naming the first step that cannot convert.
/// </summary>
public static class OnnxExporter
{
    private static readonly string[] Outputs = ["Score", "Probability"];

    /// <summary>Exports <paramref name="model"/> to <paramref name="destination"/>.</summary>
    /// <param name="mlContext">The context the model belongs to.</param>
    /// <param name="model">The model.</param>
    /// <param name="sampleRows">Rows with the model's input columns (the label may be left out): they fix the ONNX input shapes and are used for the parity check.</param>
    /// <param name="destination">Receives the ONNX bytes, only after the parity check passed.</param>
    /// <param name="tolerance">The largest accepted absolute difference between ML.NET and ONNX Runtime outputs.</param>
    /// <returns>What was written and the parity figures.</returns>
    /// <exception cref="OnnxExportException">A step cannot be converted, or the parity check failed.</exception>
    public static OnnxExportResult Export(MLContext mlContext, ITransformer model, IDataView sampleRows, Stream destination, double tolerance = 1e-4)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sampleRows);
        ArgumentNullException.ThrowIfNull(destination);
        byte[] onnx = Convert(mlContext, model, sampleRows);
        (int rows, List<string> columns, double difference) = Compare(mlContext, model, sampleRows, onnx);
        if (difference > tolerance)
        {
            throw new OnnxExportException($"The ONNX model does not reproduce ML.NET: the largest difference on {string.Join(", ", columns)} over {rows} sample rows is {difference:G4} (tolerance {tolerance:G4}). Nothing was written.");
        }

        destination.Write(onnx);
        return new OnnxExportResult(onnx.Length, rows, columns, difference);
    }

    /// <summary>Exports a model and writes it atomically under <paramref name="key"/> of <paramref name="store"/>.</summary>
    /// <param name="mlContext">The context the model belongs to.</param>
    /// <param name="model">The model.</param>
    /// <param name="sampleRows">Rows with the model's input columns.</param>
    /// <param name="store">The store.</param>
    /// <param name="key">The key, such as <c>churn/model.onnx</c>.</param>
    /// <param name="tolerance">The parity tolerance.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The parity figures.</returns>
    public static async Task<OnnxExportResult> ExportAsync(MLContext mlContext, ITransformer model, IDataView sampleRows, IArtifactStore store, string key, double tolerance = 1e-4, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        using var buffer = new MemoryStream();
        OnnxExportResult result = Export(mlContext, model, sampleRows, buffer, tolerance);
        buffer.Position = 0;
        await store.WriteAsync(key, buffer, ArtifactWriteMode.Overwrite, cancellationToken).ConfigureAwait(false);
        return result;
    }

    private static byte[] Convert(MLContext ml, ITransformer model, IDataView sampleRows)
    {
        try
        {
            return ConvertOnce(ml, model, sampleRows);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Find the first step that cannot convert by converting ever longer prefixes of the flattened chain.
            List<ITransformer> steps = Flatten(model).ToList();
            for (int k = 1; k <= steps.Count; k++)
            {
                try
                {
                    ConvertOnce(ml, new TransformerChain<ITransformer>(steps.Take(k).ToArray()), sampleRows);
                }
                catch (Exception stepError) when (stepError is not OperationCanceledException)
                {
                    string name = steps[k - 1].GetType().Name;
                    throw new OnnxExportException($"Step {k} of {steps.Count} ({name}) cannot be converted to ONNX: {stepError.Message}. Use a pipeline without it (for example one-hot instead of text featurizing, or no imputation of text columns) to export.", name, stepError);
                }
            }

            throw new OnnxExportException($"The model cannot be converted to ONNX: {ex.Message}", null, ex);
        }
    }

    private static byte[] ConvertOnce(MLContext ml, ITransformer model, IDataView sampleRows)
    {
        using var stream = new MemoryStream();
        ml.Model.ConvertToOnnx(model, sampleRows, stream);
        return stream.ToArray();
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer transformer)
        => transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [transformer];

    private static (int Rows, List<string> Columns, double Difference) Compare(MLContext ml, ITransformer model, IDataView sampleRows, byte[] onnx)
    {
        string file = Path.Combine(Path.GetTempPath(), $"mltk-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(file, onnx);
        try
        {
            IDataView expected = model.Transform(sampleRows);
            IDataView actual;
            try
            {
                actual = ml.Transforms.ApplyOnnxModel(file).Fit(sampleRows).Transform(sampleRows);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new OnnxExportException($"ONNX Runtime could not run the exported model: {ex.Message}. Nothing was written.", null, ex);
            }

            var columns = new List<string>();
            double difference = 0;
            int rows = 0;
            foreach (string output in Outputs)
            {
                // ONNX outputs carry the ML.NET names (older converters appended ".output").
                string? onnxName = actual.Schema.GetColumnOrNull(output + ".output") is not null ? output + ".output"
                    : actual.Schema.GetColumnOrNull(output) is not null ? output
                    : null;
                if (expected.Schema.GetColumnOrNull(output) is null || onnxName is null)
                {
                    continue;
                }

                float[][] a = Read(expected, output);
                float[][] b;
                try
                {
                    b = Read(actual, onnxName);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // ONNX Runtime runs lazily, as the rows are read: a graph that converts but fails (an expression
                    // transform on NaN, say) shows up here.
                    string cause = ex.InnerException?.InnerException?.Message ?? ex.InnerException?.Message ?? ex.Message;
                    throw new OnnxExportException($"ONNX Runtime could not run the exported model on the sample rows: {cause} The model converts but would not serve; nothing was written.", null, ex);
                }
                rows = a.Length;
                columns.Add(output);
                for (int r = 0; r < a.Length; r++)
                {
                    for (int i = 0; i < a[r].Length && i < b[r].Length; i++)
                    {
                        difference = Math.Max(difference, Math.Abs(a[r][i] - b[r][i]));
                    }
                }
            }

            if (columns.Count == 0)
            {
                throw new OnnxExportException($"The exported ONNX model has no Score or Probability output to compare with ML.NET's (its outputs: {string.Join(", ", actual.Schema.Select(c => c.Name))}). Nothing was written.");
            }

            return (rows, columns, difference);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static float[][] Read(IDataView data, string column)
    {
        DataViewSchema.Column col = data.Schema[column];
        var rows = new List<float[]>();
        using DataViewRowCursor cursor = data.GetRowCursor([col]);
        if (col.Type is VectorDataViewType)
        {
            ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(col);
            VBuffer<float> value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
                rows.Add(value.DenseValues().ToArray());
            }
        }
        else
        {
            ValueGetter<float> getter = cursor.GetGetter<float>(col);
            float value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                rows.Add([value]);
            }
        }

        return [.. rows];
    }
}
