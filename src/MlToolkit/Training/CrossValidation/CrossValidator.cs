using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Internal;
using MlToolkit.Pipeline;
using MlToolkit.Preparation.Split;
using MlToolkit.Validation;

namespace MlToolkit.Training.CrossValidation;

/// <summary>
/// Runs k-fold cross-validation of a pipeline's preparation and trainer: deals the rows into folds, then for each fold fits
/// the label encoding, the preparation and the trainer on the other folds and evaluates on the fold, each fold with its own
/// <see cref="MLContext"/> so that folds can run in parallel and give the same results in any order.
/// </summary>
internal sealed class CrossValidator
{
    private readonly PipelineDefinition _definition;
    private readonly CrossValidationOptions _options;
    private readonly ITrainer _trainer;
    private readonly ILogger _logger;
    private readonly Action<int, string>? _foldDone;

    /// <param name="definition">The pipeline.</param>
    /// <param name="options">The options, validated.</param>
    /// <param name="trainer">The trainer (the pipeline's, or the one tuning chose).</param>
    /// <param name="logger">The logger.</param>
    /// <param name="foldDone">Called after each fold with the number of folds done and a sentence, or <see langword="null"/>.</param>
    public CrossValidator(PipelineDefinition definition, CrossValidationOptions options, ITrainer trainer, ILogger logger, Action<int, string>? foldDone)
    {
        _definition = definition;
        _options = options;
        _trainer = trainer;
        _logger = logger;
        _foldDone = foldDone;
    }

    /// <summary>The seed of fold <paramref name="fold"/>'s <see cref="MLContext"/> (0-based), derived from the pipeline's.</summary>
    internal static int FoldSeed(int seed, int fold) => unchecked((seed * 7919) + fold + 1);

    /// <summary>Cross-validates on <paramref name="rows"/> (raw labels, every column).</summary>
    public async Task<CrossValidationResult> RunAsync(DataTable rows, CancellationToken cancellationToken)
    {
        PipelineDefinition d = _definition;
        string source = d.Source.Name;
        int k = _options.Folds;
        SplitStrategy strategy = d.ResolvedFoldStrategy;
        int[][] folds;
        try
        {
            folds = DataSplitter.Folds(rows, k, strategy, d.Label.Column, d.Split.GroupColumn, d.Seed);
        }
        catch (ArgumentException ex)
        {
            throw new DataValidationException(PipelineStage.CrossValidation, source, $"{ex.Message} Use fewer folds, or more data.", strategy == SplitStrategy.Grouped ? d.Split.GroupColumn : null);
        }

        if (strategy == SplitStrategy.Stratified)
        {
            WarnSparseClasses(rows, k);
        }

        int[] foldOf = new int[rows.RowCount];
        for (int f = 0; f < k; f++)
        {
            foreach (int row in folds[f])
            {
                foldOf[row] = f;
            }
        }

        string metric = _options.Metric ?? FitDiagnosisValidator.DefaultMetric(d.Task);
        var results = new FoldResult[k];
        int done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, k), parallel, async (fold, token) =>
        {
            token.ThrowIfCancellationRequested();
            int[] train = Enumerable.Range(0, rows.RowCount).Where(r => foldOf[r] != fold).ToArray();
            // A thread of its own per fold, as for every fit (see DedicatedThread: LightGBM slows down after fits on pool threads).
            FoldResult result = await DedicatedThread.RunAsync(() => RunFold(rows, train, folds[fold], fold, source), token).ConfigureAwait(false);
            results[fold] = result;
            int finished = Interlocked.Increment(ref done);
            double value = result.Metrics[metric];
            Diagnostics.FoldFinished(_logger, fold + 1, k, metric, value, result.TrainRows, result.TestRows);
            _foldDone?.Invoke(finished, string.Create(CultureInfo.InvariantCulture, $"Fold {fold + 1} of {k} done ({finished}/{k}): {metric} {value:G4}"));
        }).ConfigureAwait(false);

        var summary = new CrossValidationResult(strategy, metric, _options.MaxStandardDeviation, results);
        MetricSummary judged = summary[metric];
        Diagnostics.CrossValidated(_logger, k, strategy.ToString(), metric, judged.ToString());
        if (summary.Unstable)
        {
            Diagnostics.CrossValidationUnstable(_logger, metric, judged.StandardDeviation, _options.MaxStandardDeviation, string.Join(", ", judged.Values.Select(v => v.ToString("G4", CultureInfo.InvariantCulture))));
        }

        return summary;
    }

    private FoldResult RunFold(DataTable rows, int[] trainRows, int[] testRows, int fold, string source)
    {
        PipelineDefinition d = _definition;
        using Activity? activity = Diagnostics.ActivitySource.StartActivity("MlToolkit.CrossValidation.Fold");
        activity?.SetTag("mltoolkit.fold", fold + 1);
        var ml = new MLContext(FoldSeed(d.Seed, fold));
        string name = string.Create(CultureInfo.InvariantCulture, $"fold {fold + 1} of {_options.Folds}");
        TrainedModel model;
        DataTable train, test;
        try
        {
            LabelEncoding labels;
            (model, train, labels) = PipelineFitter.FitModel(d, _trainer, ml, rows.Subset(trainRows), PipelineStage.CrossValidation, $"Cross-validation {name}", source);
            test = PipelineFitter.Encode(d, labels, rows.Subset(testRows));
        }
        catch (DataValidationException ex)
        {
            // Say which fold, and that it is the fold's share of the rows, not the data, that lacks what training needs.
            throw new DataValidationException(
                PipelineStage.CrossValidation,
                source,
                string.Create(CultureInfo.InvariantCulture, $"Cross-validation {name} trains on {trainRows.Length} of {rows.RowCount} rows and tests on {testRows.Length}: {ex.Message} With {rows.RowCount} rows, {_options.Folds} folds leave too little in each part; use fewer folds, or more data."),
                ex.Column);
        }

        EvaluationResult metrics = PipelineFitter.Evaluate(d, model, test, name, source);
        return new FoldResult(fold + 1, train.RowCount, test.RowCount, metrics);
    }

    private void WarnSparseClasses(DataTable rows, int folds)
    {
        DataTableColumn label = rows.FindColumn(_definition.Label.Column)!;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int row = 0; row < rows.RowCount; row++)
        {
            string key = label.FormatValue(rows.SourceRow(row)) ?? string.Empty;
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        foreach ((string value, int count) in counts.Where(c => c.Value < folds).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            Diagnostics.SparseClass(_logger, value, _definition.Label.Column, count, folds);
        }
    }
}
