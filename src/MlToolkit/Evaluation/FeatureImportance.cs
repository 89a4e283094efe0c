using System.Globalization;
using MlToolkit.Data;
using MlToolkit.Pipeline;
using MlToolkit.Training;

namespace MlToolkit.Evaluation;

/// <summary>
/// How much a model relies on one input column: the drop in a metric when that column's values are shuffled across the
/// rows (breaking its link to the label, keeping its distribution), averaged over several shuffles. It is measured on the raw
/// input columns the model takes, not on the one-hot or text-feature slots preparation makes of them, so a categorical
/// column counts once.
/// </summary>
/// <param name="Column">The input column.</param>
/// <param name="Mean">The mean drop of the metric (for log-loss, RMSE and MAE, the mean rise): larger means more important; near 0, unused.</param>
/// <param name="StandardDeviation">The sample standard deviation of the drops across shuffles.</param>
/// <param name="Drops">Each shuffle's drop.</param>
public sealed record FeatureImportance(string Column, double Mean, double StandardDeviation, IReadOnlyList<double> Drops)
{
    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Column}: {Mean:G3} ± {StandardDeviation:G2}");
}

/// <summary>The permutation importance of the input columns, as a pipeline computes it (see <see cref="FeatureImportance"/>).</summary>
public sealed class FeatureImportanceResult
{
    internal FeatureImportanceResult(string metric, int repeats, double baseline, IReadOnlyList<FeatureImportance> columns)
    {
        Metric = metric;
        Repeats = repeats;
        Baseline = baseline;
        Columns = columns;
    }

    /// <summary>The metric whose drop is measured.</summary>
    public string Metric { get; }

    /// <summary>How many shuffles each column had.</summary>
    public int Repeats { get; }

    /// <summary>The metric on the unshuffled data.</summary>
    public double Baseline { get; }

    /// <summary>Every input column, most important first.</summary>
    public IReadOnlyList<FeatureImportance> Columns { get; }
}

/// <summary>What <c>ExplainFeatures(...)</c> asked for.</summary>
/// <param name="Repeats">Shuffles per column.</param>
/// <param name="Metric">The metric, or <see langword="null"/> for the task's default.</param>
internal sealed record ExplanationOptions(int Repeats, string? Metric);

/// <summary>Computes permutation importance on a scored data set.</summary>
internal static class PermutationImportance
{
    public static FeatureImportanceResult Compute(PipelineDefinition definition, TrainedModel model, DataTable data, string metric, int repeats, int seed, CancellationToken cancellationToken)
    {
        string source = definition.Source.Name;
        DataTable table = Materialize(data);
        double baseline = PipelineFitter.Evaluate(definition, model, table, "importance baseline", source)[metric];
        bool higherIsBetter = Metric.HigherIsBetter(metric);
        var random = new Random(seed);
        var results = new List<FeatureImportance>();
        foreach (DataTableColumn column in table.Columns.Where(c => c.Name != definition.Label.Column && model.InputSchema.GetColumnOrNull(c.Name) is not null))
        {
            var drops = new double[repeats];
            for (int r = 0; r < repeats; r++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int[] order = Enumerable.Range(0, table.RowCount).ToArray();
                random.Shuffle(order);
                DataTable shuffled = table.WithColumn(Gather(column, order));
                double score = PipelineFitter.Evaluate(definition, model, shuffled, $"importance of {column.Name}", source)[metric];
                drops[r] = higherIsBetter ? baseline - score : score - baseline;
            }

            double[] defined = [.. drops.Where(d => !double.IsNaN(d))];
            double mean = defined.Length == 0 ? double.NaN : defined.Average();
            double sd = defined.Length < 2 ? double.NaN : Math.Sqrt(defined.Sum(d => (d - mean) * (d - mean)) / (defined.Length - 1));
            results.Add(new FeatureImportance(column.Name, mean, sd, drops));
        }

        return new FeatureImportanceResult(metric, repeats, baseline, [.. results.OrderByDescending(f => double.IsNaN(f.Mean) ? double.MinValue : f.Mean).ThenBy(f => f.Column, StringComparer.Ordinal)]);
    }

    /// <summary>The table with its own storage, row i of each column at index i.</summary>
    private static DataTable Materialize(DataTable table)
    {
        int[] rows = [.. Enumerable.Range(0, table.RowCount).Select(table.SourceRow)];
        return new DataTable(table.Columns.Select(c => Gather(c, rows)));
    }

    /// <summary>A column whose value i is <paramref name="column"/>'s value at <paramref name="rows"/>[i].</summary>
    private static DataTableColumn Gather(DataTableColumn column, int[] rows) => column switch
    {
        NumberColumn n => new NumberColumn(n.Name, [.. rows.Select(i => n.Values[i])]),
        BooleanColumn b => new BooleanColumn(b.Name, [.. rows.Select(i => b.Values[i])]),
        TextColumn t => new TextColumn(t.Name, [.. rows.Select(i => t.Values[i])]),
        VectorColumn v => new VectorColumn(v.Name, v.Size, [.. rows.SelectMany(i => v.Values.AsSpan(i * v.Size, v.Size).ToArray())], v.Annotations),
        KeyColumn k => new KeyColumn(k.Name, [.. rows.Select(i => k.Values[i])], k.KeyValues),
        _ => throw new NotSupportedException($"Column '{column.Name}' of type {column.GetType().Name} cannot be permuted."),
    };
}
