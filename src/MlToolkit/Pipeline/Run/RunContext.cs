using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using MlToolkit.Data;
using MlToolkit.Deployment;
using MlToolkit.Evaluation;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Snapshots;
using MlToolkit.Internal;
using MlToolkit.Training;
using MlToolkit.Training.CrossValidation;
using MlToolkit.Training.Search;
using MlToolkit.Validation;

namespace MlToolkit.Pipeline.Run;

/// <summary>
/// What the steps of one run share: the pipeline, the run's <see cref="MLContext"/>, tokens and progress, the timings and
/// snapshots, and each step's results (set by the step named on each property, read by later ones). One per run.
/// </summary>
internal sealed class RunContext
{
    private readonly int _stageCount;
    private int _stageNumber;

    public RunContext(PipelineDefinition definition, ILogger logger, IReadOnlyList<RunStep> steps, IProgress<PipelineProgress>? progress, CancellationToken stopSearch, CancellationToken cancellationToken)
    {
        Definition = definition;
        Logger = logger;
        Progress = progress;
        StopSearch = stopSearch;
        Cancellation = cancellationToken;
        ML = new MLContext(definition.Seed);
        Trainer = definition.Trainer;
        Steps = steps;
        _stageCount = steps.Count(s => s.IsPartOf(definition));
    }

    public PipelineDefinition Definition { get; }

    public ILogger Logger { get; }

    public IProgress<PipelineProgress>? Progress { get; }

    /// <summary>Ends a search early; the run goes on with the best trial so far (<see cref="PipelineRunOptions.StopSearch"/>).</summary>
    public CancellationToken StopSearch { get; }

    /// <summary>Cancels the run.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>The run's context, seeded with the pipeline's seed.</summary>
    public MLContext ML { get; }

    public IReadOnlyList<RunStep> Steps { get; }

    /// <summary>The name of the main source, for messages.</summary>
    public string Source => Definition.Source.Name;

    public List<StageTiming> Timings { get; } = [];

    public List<DataSnapshot> Snapshots { get; } = [];

    /// <summary>The trainer: the pipeline's, or the search's winner (<c>TuningStep</c>).</summary>
    public ITrainer Trainer { get; set; }

    // Extraction (ExtractionStep), then data quality (DataQualityStep: rows with a missing label dropped).
    public DataTable Table { get; set; } = null!;

    public ExtractedData Extracted { get; set; } = null!;

    public DataTable? TestTable { get; set; }

    public DataTable? ValidationTable { get; set; }

    public DataQualityReport Quality { get; set; } = null!;

    /// <summary>The rows by role, raw (labels as read) and encoded as the trainer sees them (<c>SplitStep</c>).</summary>
    public RowsByRole Rows { get; set; } = null!;

    // Tuning and cross-validation (TuningStep, CrossValidationStep).
    public SearchResult? Tuning { get; set; }

    public CrossValidationResult? CrossValidation { get; set; }

    // Preparation and training (PreparationStep, TrainingStep).
    public ITransformer Preparation { get; set; } = null!;

    public IDataView Prepared { get; set; } = null!;

    public IEstimator<ITransformer> TrainerEstimator { get; set; } = null!;

    public TrainedModel Model { get; set; } = null!;

    // Evaluation and what follows it (EvaluationStep, ExplanationStep, LearningCurveStep, ValidationStep, DeploymentStep).
    public EvaluationResult TestMetrics { get; set; } = null!;

    public Lazy<EvaluationResult> TrainingMetrics { get; set; } = null!;

    public EvaluationResult? ValidationMetrics { get; set; }

    public FeatureImportanceResult? FeatureImportance { get; set; }

    public LearningCurveResult? LearningCurve { get; set; }

    public ValidationResult? Verdict { get; set; }

    public List<DeploymentResult> Deployments { get; } = [];

    public string? DeploymentSkippedReason { get; set; }

    /// <summary>Runs every step of <see cref="Steps"/> that the pipeline has, in order.</summary>
    public async Task RunStepsAsync()
    {
        foreach (RunStep step in Steps)
        {
            if (step.IsPartOf(Definition) && step.ShouldRun(this))
            {
                await StageAsync(step).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Reports progress within the current stage (a fold, a trial).</summary>
    public void ReportStep(PipelineStage stage, int done, int total, string message)
        => Progress?.Report(new PipelineProgress(stage, _stageNumber, _stageCount, false, message) { Step = done, StepCount = total });

    /// <summary>
    /// Runs an ML.NET fit on a thread of its own (see <see cref="DedicatedThread"/>: LightGBM trains up to 1.6× slower after
    /// fits on pool threads); it cannot be interrupted, so cancellation is observed when it returns.
    /// </summary>
    public async Task<ITransformer> FitAsync(PipelineStage stage, string what, Func<ITransformer> fit)
    {
        try
        {
            return await DedicatedThread.RunAsync(fit, Cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not MlToolkitException)
        {
            throw new MlToolkitException(stage, Source, $"{what} ({Source}) failed: {ex.Message}", ex);
        }
    }

    /// <summary>Keeps a content-addressed copy of what a source gave, when the pipeline asks for snapshots.</summary>
    public async Task SnapshotAsync(DataTable table, string source)
    {
        if (Definition.Snapshots is not { } target)
        {
            return;
        }

        string[] absent = [.. Definition.Ignored.Where(c => table.FindColumn(c) is null)];
        DataSnapshot snapshot = await DataSnapshot.SaveAsync(target.Store, target.Prefix, table, source, absent, Cancellation).ConfigureAwait(false);
        Diagnostics.Snapshot(Logger, source, snapshot.Key, snapshot.Sha256);
        Snapshots.Add(snapshot);
    }

    private async Task StageAsync(RunStep step)
    {
        PipelineStage stage = step.Stage;
        Cancellation.ThrowIfCancellationRequested();
        _stageNumber++;
        string message = step.Message(this);
        Progress?.Report(new PipelineProgress(stage, _stageNumber, _stageCount, false, message));
        using Activity? activity = Diagnostics.ActivitySource.StartActivity($"MlToolkit.{stage}");
        long start = Definition.TimeProvider.GetTimestamp();
        try
        {
            await step.RunAsync(this).ConfigureAwait(false);
            if (step.ThrowsWhenCancelled)
            {
                Cancellation.ThrowIfCancellationRequested();
            }
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }

        TimeSpan elapsed = Definition.TimeProvider.GetElapsedTime(start);
        Timings.Add(new StageTiming(stage, elapsed));
        activity?.SetTag("mltoolkit.elapsed_ms", elapsed.TotalMilliseconds);
        Diagnostics.StageFinished(Logger, stage, elapsed.TotalMilliseconds);
        Progress?.Report(new PipelineProgress(stage, _stageNumber, _stageCount, true, message));
    }
}

/// <summary>
/// The rows of a run by role: training rows fit; validation rows only judge (gates, fit diagnosis, comparison with
/// production); test rows only report. Each raw (labels as read, every column) and encoded (the label as the trainer sees it,
/// never-feature columns dropped).
/// </summary>
internal sealed record RowsByRole(
    DataTable TrainingRaw,
    DataTable ValidationRaw,
    DataTable TestRaw,
    DataTable Training,
    DataTable Validation,
    DataTable Test,
    LabelEncoding Labels);
