using MlToolkit.Data;
using MlToolkit.Internal;
using MlToolkit.Pipeline;
using MlToolkit.Pipeline.Run;

namespace MlToolkit.Preparation.Split;

/// <summary>
/// Stage 3: splits the rows into their roles (a separate test or validation source takes that part's place), then encodes
/// the label with classes from the training rows only: <see cref="RunContext.Rows"/>.
/// </summary>
internal sealed class SplitStep : RunStep
{
    public override PipelineStage Stage => PipelineStage.Split;

    public override IEnumerable<StageDescription> Describe(PipelineDefinition d)
    {
        yield return new StageDescription(PipelineStage.Split, d.ResolvedSplitStrategy.ToString(), FormattableString.Invariant($"test {(d.TestSource is null ? d.Split.TestFraction : 0)}, validation {d.Split.ValidationFraction}, seed {d.Seed}") + (d.Split.GroupColumn is null ? string.Empty : $", group '{d.Split.GroupColumn}'"));
    }

    public override string Message(RunContext run) => "Splitting";

    public override Task RunAsync(RunContext run)
    {
        PipelineDefinition d = run.Definition;
        string source = run.Source;
        DataTable table = run.Table;
        var options = new SplitOptions
        {
            TestFraction = run.TestTable is null ? d.Split.TestFraction : 0,
            ValidationFraction = run.ValidationTable is null ? d.Split.ValidationFraction : 0,
            Strategy = d.Split.Strategy,
            GroupColumn = d.Split.GroupColumn,
        };
        SplitIndexes parts = DataSplitter.Split(table, options, d.ResolvedSplitStrategy, d.Label.Column, d.Seed);
        Diagnostics.Split(run.Logger, parts.Train.Length, parts.Validation.Length, run.TestTable?.RowCount ?? parts.Test.Length, d.ResolvedSplitStrategy.ToString());
        if (parts.Train.Length == 0 || (run.TestTable is null && parts.Test.Length == 0))
        {
            throw new DataValidationException(PipelineStage.Split, source, $"The split of {table.RowCount} rows left {parts.Train.Length} for training and {parts.Test.Length} for testing; both need rows. Use more data or other fractions.");
        }

        DataTable trainRaw = table.Subset(parts.Train);
        (DataTable train, LabelEncoding labels) = PipelineFitter.EncodeTraining(d, trainRaw, source);
        if (d.Task == MlTask.BinaryClassification)
        {
            Diagnostics.PositiveClass(run.Logger, d.Label.Column, labels.ClassNames[1], labels.ClassNames[0]);
        }

        DataTable testRaw = run.TestTable ?? table.Subset(parts.Test);
        DataTable validationRaw = run.ValidationTable ?? table.Subset(parts.Validation);
        run.Rows = new RowsByRole(
            trainRaw,
            validationRaw,
            testRaw,
            train,
            PipelineFitter.Encode(d, labels, validationRaw),
            PipelineFitter.Encode(d, labels, testRaw),
            labels);
        return Task.CompletedTask;
    }
}
