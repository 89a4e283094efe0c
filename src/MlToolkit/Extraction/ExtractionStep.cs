using Microsoft.ML;
using MlToolkit.Data;
using MlToolkit.Internal;
using MlToolkit.Pipeline;
using MlToolkit.Pipeline.Run;

namespace MlToolkit.Extraction;

/// <summary>
/// Stage 1: reads the source (and the separate test and validation sources, unless <c>readOthers</c> is off), keeps
/// snapshots when asked, and checks every schema against the pipeline: <see cref="RunContext.Table"/>,
/// <see cref="RunContext.Extracted"/>, <see cref="RunContext.TestTable"/>, <see cref="RunContext.ValidationTable"/>.
/// </summary>
internal sealed class ExtractionStep(bool readOthers = true) : RunStep
{
    public override PipelineStage Stage => PipelineStage.Extraction;

    public override IEnumerable<StageDescription> Describe(PipelineDefinition d)
    {
        yield return new StageDescription(PipelineStage.Extraction, d.Source.Name, string.Join(", ", new[] { d.TestSource is null ? null : $"test: {d.TestSource.Name}", d.ValidationSource is null ? null : $"validation: {d.ValidationSource.Name}", d.Snapshots is null ? null : $"snapshots: {d.Snapshots.Store.GetLocation(d.Snapshots.Prefix)}" }.OfType<string>()));
    }

    public override string Message(RunContext run) => $"Reading {run.Source}";

    public override async Task RunAsync(RunContext run)
    {
        PipelineDefinition d = run.Definition;
        string source = run.Source;
        var context = new ExtractionContext(run.ML, run.Logger);
        ExtractedData data = await d.Source.ExtractAsync(context, run.Cancellation).ConfigureAwait(false);
        DataTable table = DataTable.FromDataView(data.Data, source, run.Cancellation, d.Ignored);
        Diagnostics.Extracted(run.Logger, table.RowCount, table.Columns.Count, source);
        await run.SnapshotAsync(table, source).ConfigureAwait(false);
        if (data.SkippedRowCount > 0)
        {
            Diagnostics.SkippedRows(run.Logger, source, data.SkippedRowCount);
        }

        // Checked against the schemas the sources gave (ignored columns included, whatever their type).
        var problems = new List<string>();
        SchemaValidator.Validate(d, data.Data.Schema, problems);
        run.TestTable = readOthers ? await ExtractOtherAsync(run, d.TestSource, context, data.Data.Schema, problems).ConfigureAwait(false) : null;
        run.ValidationTable = readOthers ? await ExtractOtherAsync(run, d.ValidationSource, context, data.Data.Schema, problems).ConfigureAwait(false) : null;
        if (problems.Count > 0)
        {
            throw new PipelineValidationException(problems, source);
        }

        run.Table = table;
        run.Extracted = data;
    }

    /// <summary>Reads a separate test or validation source and checks its schema against the training data's.</summary>
    private static async Task<DataTable?> ExtractOtherAsync(RunContext run, IDataSource? other, ExtractionContext context, DataViewSchema trainSchema, List<string> problems)
    {
        if (other is null)
        {
            return null;
        }

        ExtractedData data = await other.ExtractAsync(context, run.Cancellation).ConfigureAwait(false);
        SchemaValidator.ValidateTestSchema(run.Definition, trainSchema, data.Data.Schema, problems, other.Name);
        DataTable table = DataTable.FromDataView(data.Data, other.Name, run.Cancellation, run.Definition.Ignored);
        Diagnostics.Extracted(run.Logger, table.RowCount, table.Columns.Count, other.Name);
        await run.SnapshotAsync(table, other.Name).ConfigureAwait(false);
        return table;
    }
}
