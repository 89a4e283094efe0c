using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace MlToolkit.Internal;

/// <summary>The toolkit's <see cref="ActivitySource"/> and source-generated log messages.</summary>
internal static partial class Diagnostics
{
    public const string SourceName = "MlToolkit";

    public static readonly ActivitySource ActivitySource = new(SourceName, typeof(Diagnostics).Assembly.GetName().Version?.ToString());

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Pipeline run started: {Description}")]
    public static partial void RunStarted(ILogger logger, string description);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Stage {Stage} finished in {ElapsedMs:F0} ms")]
    public static partial void StageFinished(ILogger logger, PipelineStage stage, double elapsedMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Extracted {Rows} rows and {Columns} columns from {Source}")]
    public static partial void Extracted(ILogger logger, long rows, int columns, string source);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "{Source}: skipped {Count} malformed rows (lenient mode)")]
    public static partial void SkippedRows(ILogger logger, string source, long count);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Dropped {Count} rows whose label '{Label}' is missing")]
    public static partial void DroppedMissingLabels(ILogger logger, long count, string label);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Split: {Train} training, {Validation} validation, {Test} test rows ({Strategy})")]
    public static partial void Split(ILogger logger, int train, int validation, int test, string strategy);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Binary label '{Label}': positive class is '{Positive}', negative is '{Negative}'")]
    public static partial void PositiveClass(ILogger logger, string label, string positive, string negative);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Test metrics: {Metrics}")]
    public static partial void Metrics(ILogger logger, string metrics);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Validation failed; the model is not deployed: {Reasons}")]
    public static partial void DeploymentSkipped(ILogger logger, string reasons);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "Validation failed but deployment is forced: {Reasons}")]
    public static partial void DeploymentForced(ILogger logger, string reasons);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Model deployed to {Location} ({Bytes} bytes, sha256 {Sha256})")]
    public static partial void Deployed(ILogger logger, string location, long bytes, string sha256);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Column '{Column}' is constant in the extracted data and cannot help the model")]
    public static partial void ConstantColumn(ILogger logger, string column);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "Cross-validation fold {Fold} of {Folds}: {Metric} = {Value:G4} ({TrainRows} training rows, {TestRows} test rows)")]
    public static partial void FoldFinished(ILogger logger, int fold, int folds, string metric, double value, int trainRows, int testRows);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Information, Message = "Cross-validation ({Folds} folds, {Strategy}): {Metric} {Summary}")]
    public static partial void CrossValidated(ILogger logger, int folds, string strategy, string metric, string summary);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Warning, Message = "Cross-validation folds disagree: the standard deviation of {Metric} is {StandardDeviation:G3}, above {Max:G3} (fold values {Values}); a single split's estimate would depend on which rows it held out")]
    public static partial void CrossValidationUnstable(ILogger logger, string metric, double standardDeviation, double max, string values);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Warning, Message = "The class '{Class}' of the label '{Label}' has {Rows} rows, fewer than the {Folds} folds: some folds test on none of it")]
    public static partial void SparseClass(ILogger logger, string @class, string label, int rows, int folds);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Warning, Message = "The query of {Source} has no ORDER BY: the database may return its rows in another order on another run, which changes a split or cross-validation folds, and so the model. Order by a key")]
    public static partial void QueryWithoutOrderBy(ILogger logger, string source);

    [LoggerMessage(EventId = 1017, Level = LogLevel.Warning, Message = "Retrying {Url} after {Outcome} in {DelayMs:F0} ms (retry {Attempt} of {MaxRetries})")]
    public static partial void HttpRetry(ILogger logger, string url, string outcome, double delayMs, int attempt, int maxRetries);

    [LoggerMessage(EventId = 1018, Level = LogLevel.Information, Message = "Snapshot of {Source} kept at {Key} (sha256 {Sha256})")]
    public static partial void Snapshot(ILogger logger, string source, string key, string sha256);

    [LoggerMessage(EventId = 1019, Level = LogLevel.Information, Message = "Trial {Number} {Configuration}: {Metric} = {Score:G4} ({Rows} training rows)")]
    public static partial void TrialFinished(ILogger logger, int number, string configuration, string metric, double score, int rows);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Warning, Message = "Trial {Number} ({Trainer}) failed and is left out: {Reason}")]
    public static partial void TrialFailed(ILogger logger, int number, string trainer, string reason);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Information, Message = "Search ({Strategy}, {Trials} trials): best {Configuration} with {Metric} = {Score:G4}")]
    public static partial void SearchFinished(ILogger logger, string strategy, int trials, string configuration, string metric, double score);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Information, Message = "Search stopped after {Trials} of {Planned} trials ({Reason})")]
    public static partial void SearchStopped(ILogger logger, int trials, int planned, string reason);
}
