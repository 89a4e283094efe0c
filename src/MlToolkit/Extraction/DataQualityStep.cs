using System.Globalization;
using MlToolkit.Data;
using MlToolkit.Internal;
using MlToolkit.Pipeline;
using MlToolkit.Pipeline.Run;

namespace MlToolkit.Extraction;

/// <summary>
/// Stage 2: the data-quality report (<see cref="RunContext.Quality"/>) and the missing-label policy, applied to every
/// source (rows with a missing label fail the run or are dropped from <see cref="RunContext.Table"/> and the others).
/// </summary>
internal sealed class DataQualityStep : RunStep
{
    public override PipelineStage Stage => PipelineStage.DataQuality;

    public override IEnumerable<StageDescription> Describe(PipelineDefinition d)
    {
        yield return new StageDescription(PipelineStage.DataQuality, "DataQualityReport", $"label '{d.Label.Column}', missing labels: {d.Label.MissingLabels}" + (d.Ignored.Count > 0 ? $", ignored: {string.Join(", ", d.Ignored)}" : string.Empty));
    }

    public override string Message(RunContext run) => "Checking data quality";

    public override Task RunAsync(RunContext run)
    {
        PipelineDefinition d = run.Definition;
        string source = run.Source;
        DataTable table = run.Table;
        if (table.RowCount == 0)
        {
            throw new DataValidationException(PipelineStage.DataQuality, source, $"{source} has no data rows{(run.Extracted.SkippedRowCount > 0 ? $" ({run.Extracted.SkippedRowCount} malformed rows were skipped)" : string.Empty)}; there is nothing to train on.");
        }

        (DataTable kept, long dropped) = HandleMissingLabels(run, table, source);
        DataQualityReport report = DataQualityReport.Compute(table, d.Label.Column, d.IsClassification, run.Extracted, dropped);
        foreach (string column in report.ConstantColumns.Where(c => c != d.Label.Column))
        {
            Diagnostics.ConstantColumn(run.Logger, column);
        }

        DataTable? test = run.TestTable is null ? null : HandleMissingLabels(run, run.TestTable, d.TestSource!.Name).Kept;
        if (test is { RowCount: 0 })
        {
            throw new DataValidationException(PipelineStage.DataQuality, d.TestSource!.Name, $"The test source {d.TestSource!.Name} has no rows with a label.");
        }

        DataTable? validation = run.ValidationTable is null ? null : HandleMissingLabels(run, run.ValidationTable, d.ValidationSource!.Name).Kept;
        if (validation is { RowCount: 0 })
        {
            throw new DataValidationException(PipelineStage.DataQuality, d.ValidationSource!.Name, $"The validation source {d.ValidationSource!.Name} has no rows with a label.");
        }

        run.Quality = report;
        run.Table = kept;
        run.TestTable = test;
        run.ValidationTable = validation;
        return Task.CompletedTask;
    }

    private static (DataTable Kept, long Dropped) HandleMissingLabels(RunContext run, DataTable table, string source)
    {
        LabelOptions labelOptions = run.Definition.Label;
        DataTableColumn label = table.FindColumn(labelOptions.Column)!;
        var missing = new List<int>();
        for (int row = 0; row < table.RowCount; row++)
        {
            if (label.IsMissing(table.SourceRow(row)))
            {
                missing.Add(row);
            }
        }

        if (missing.Count == 0)
        {
            return (table, 0);
        }

        if (missing.Count == table.RowCount)
        {
            throw new DataValidationException(PipelineStage.DataQuality, source,
                $"All {table.RowCount} rows of {source} have no value in the label '{labelOptions.Column}'{(labelOptions.MissingLabels == MissingLabelPolicy.Drop ? ", so dropping them (MissingLabels = Drop) leaves nothing" : string.Empty)}: check that '{labelOptions.Column}' is the label column and that its values are not all empty or missing tokens (CsvSourceOptions.MissingValues).",
                labelOptions.Column);
        }

        if (labelOptions.MissingLabels == MissingLabelPolicy.Fail)
        {
            string rows = string.Join(", ", missing.Take(5).Select(r => (r + 1).ToString(CultureInfo.InvariantCulture)));
            throw new DataValidationException(PipelineStage.DataQuality, source,
                $"{missing.Count} of {table.RowCount} rows of {source} have no value in the label '{labelOptions.Column}' (data rows {rows}{(missing.Count > 5 ? ", …" : string.Empty)}). Fix the data, or set LabelOptions.MissingLabels = MissingLabelPolicy.Drop to drop them.",
                labelOptions.Column);
        }

        Diagnostics.DroppedMissingLabels(run.Logger, missing.Count, labelOptions.Column);
        var missingSet = new HashSet<int>(missing);
        return (table.Subset(Enumerable.Range(0, table.RowCount).Where(r => !missingSet.Contains(r)).ToArray()), missing.Count);
    }
}
