using System.Globalization;

namespace MlToolkit.Benchmarks;

/// <summary>
/// The 28 float features of the synthetic binary data (named <c>F00</c>…<c>F27</c>): the input of the prediction
/// benchmarks, and the base of <see cref="LabeledRow"/>. Properties, as most users write them (ML.NET maps each public
/// property to a column).
/// </summary>
public class FeatureRow
{
    public float F00 { get; set; }

    public float F01 { get; set; }

    public float F02 { get; set; }

    public float F03 { get; set; }

    public float F04 { get; set; }

    public float F05 { get; set; }

    public float F06 { get; set; }

    public float F07 { get; set; }

    public float F08 { get; set; }

    public float F09 { get; set; }

    public float F10 { get; set; }

    public float F11 { get; set; }

    public float F12 { get; set; }

    public float F13 { get; set; }

    public float F14 { get; set; }

    public float F15 { get; set; }

    public float F16 { get; set; }

    public float F17 { get; set; }

    public float F18 { get; set; }

    public float F19 { get; set; }

    public float F20 { get; set; }

    public float F21 { get; set; }

    public float F22 { get; set; }

    public float F23 { get; set; }

    public float F24 { get; set; }

    public float F25 { get; set; }

    public float F26 { get; set; }

    public float F27 { get; set; }

    /// <summary>Sets the 28 features from <paramref name="values"/>.</summary>
    /// <param name="values">28 values, in column order.</param>
    public void SetFeatures(ReadOnlySpan<float> values)
    {
        if (values.Length != SyntheticBinaryData.FeatureCount)
        {
            throw new ArgumentException($"Expected {SyntheticBinaryData.FeatureCount} values, got {values.Length}.", nameof(values));
        }

        F00 = values[0];
        F01 = values[1];
        F02 = values[2];
        F03 = values[3];
        F04 = values[4];
        F05 = values[5];
        F06 = values[6];
        F07 = values[7];
        F08 = values[8];
        F09 = values[9];
        F10 = values[10];
        F11 = values[11];
        F12 = values[12];
        F13 = values[13];
        F14 = values[14];
        F15 = values[15];
        F16 = values[16];
        F17 = values[17];
        F18 = values[18];
        F19 = values[19];
        F20 = values[20];
        F21 = values[21];
        F22 = values[22];
        F23 = values[23];
        F24 = values[24];
        F25 = values[25];
        F26 = values[26];
        F27 = values[27];
    }

    /// <summary>Copies the 28 features into <paramref name="values"/>.</summary>
    /// <param name="values">28 slots, in column order.</param>
    public void CopyFeatures(Span<float> values)
    {
        if (values.Length != SyntheticBinaryData.FeatureCount)
        {
            throw new ArgumentException($"Expected {SyntheticBinaryData.FeatureCount} slots, got {values.Length}.", nameof(values));
        }

        values[0] = F00;
        values[1] = F01;
        values[2] = F02;
        values[3] = F03;
        values[4] = F04;
        values[5] = F05;
        values[6] = F06;
        values[7] = F07;
        values[8] = F08;
        values[9] = F09;
        values[10] = F10;
        values[11] = F11;
        values[12] = F12;
        values[13] = F13;
        values[14] = F14;
        values[15] = F15;
        values[16] = F16;
        values[17] = F17;
        values[18] = F18;
        values[19] = F19;
        values[20] = F20;
        values[21] = F21;
        values[22] = F22;
        values[23] = F23;
        values[24] = F24;
        values[25] = F25;
        values[26] = F26;
        values[27] = F27;
    }
}

/// <summary>A training row: the 28 features and a boolean label.</summary>
public sealed class LabeledRow : FeatureRow
{
    public bool Label { get; set; }
}

/// <summary>The binary outputs of the model (raw engine, typed service and raw batch read the same class).</summary>
public sealed class BinaryOutput
{
    public bool PredictedLabel { get; set; }

    public float Score { get; set; }

    public float Probability { get; set; }
}

/// <summary>
/// Seeded synthetic binary classification data with a learnable signal: 28 standard normal features; the label is
/// drawn from a logistic model over the first 20 (weights drawn once from the seed) plus an interaction
/// (<c>F00·F01</c>) and a square (<c>F02²</c>) that trees can find and a linear model cannot; the last 8 features are noise.
/// The same seed and row count always give the same rows. Generated in memory: 100,000 rows take about 50 ms.
/// </summary>
public static class SyntheticBinaryData
{
    public const int FeatureCount = 28;

    public const int DefaultSeed = 20261126;

    /// <summary>The feature column names, <c>F00</c>…<c>F27</c>.</summary>
    public static IReadOnlyList<string> FeatureNames { get; } =
        [.. Enumerable.Range(0, FeatureCount).Select(i => "F" + i.ToString("D2", CultureInfo.InvariantCulture))];

    /// <summary>Generates <paramref name="rows"/> labelled rows.</summary>
    /// <param name="rows">The row count.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The rows.</returns>
    public static LabeledRow[] Generate(int rows, int seed = DefaultSeed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var weightRandom = new Random(seed);
        double[] weights = new double[FeatureCount];
        for (int j = 0; j < 20; j++)
        {
            weights[j] = 0.6 * Normal(weightRandom);
        }

        var random = new Random(unchecked(seed * 31 + 7));
        var result = new LabeledRow[rows];
        Span<float> x = stackalloc float[FeatureCount];
        for (int i = 0; i < rows; i++)
        {
            double z = -0.2;
            for (int j = 0; j < FeatureCount; j++)
            {
                x[j] = (float)Normal(random);
                z += weights[j] * x[j];
            }

            z += (0.8 * x[0] * x[1]) - (0.5 * ((x[2] * x[2]) - 1));
            double p = 1 / (1 + Math.Exp(-z));
            var row = new LabeledRow { Label = random.NextDouble() < p };
            row.SetFeatures(x);
            result[i] = row;
        }

        return result;
    }

    /// <summary>The first 80% of <paramref name="rows"/> for training, the rest for testing (a fixed split by index).</summary>
    /// <param name="rows">The rows.</param>
    /// <returns>The two parts.</returns>
    public static (LabeledRow[] Train, LabeledRow[] Test) SplitByIndex(LabeledRow[] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int train = rows.Length * 4 / 5;
        return (rows[..train], rows[train..]);
    }

    /// <summary>The features of <paramref name="row"/> as an untyped request: name to boxed float.</summary>
    /// <param name="row">The row.</param>
    /// <returns>A new dictionary.</returns>
    public static IReadOnlyDictionary<string, object?> ToDictionary(FeatureRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        Span<float> x = stackalloc float[FeatureCount];
        row.CopyFeatures(x);
        var values = new Dictionary<string, object?>(FeatureCount, StringComparer.Ordinal);
        for (int j = 0; j < FeatureCount; j++)
        {
            values[FeatureNames[j]] = x[j];
        }

        return values;
    }

    /// <summary>A copy of the features only (no label), as a prediction request would carry them.</summary>
    /// <param name="row">The row.</param>
    /// <returns>A new <see cref="FeatureRow"/>.</returns>
    public static FeatureRow FeaturesOf(FeatureRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        Span<float> x = stackalloc float[FeatureCount];
        row.CopyFeatures(x);
        var copy = new FeatureRow();
        copy.SetFeatures(x);
        return copy;
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    private static double Normal(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
