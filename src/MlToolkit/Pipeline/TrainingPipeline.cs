using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using MlToolkit.Data;
using MlToolkit.Internal;
using MlToolkit.Pipeline.Run;
using MlToolkit.Training.CrossValidation;
using MlToolkit.Training.Search;

namespace MlToolkit.Pipeline;

/// <summary>
/// An immutable pipeline built by <see cref="PipelineBuilder"/>. Run it as often as you like; each run uses a
/// fresh <see cref="MLContext"/> seeded with the pipeline's seed, so the same data gives the same model.
/// </summary>
public sealed class TrainingPipeline
{
    private readonly PipelineDefinition _definition;
    private readonly ILogger _logger;

    internal TrainingPipeline(PipelineDefinition definition)
    {
        _definition = definition;
        _logger = definition.LoggerFactory.CreateLogger("MlToolkit.Pipeline");
    }

    /// <summary>The pipeline's seed.</summary>
    public int Seed => _definition.Seed;

    /// <summary>The task, decided by the trainer.</summary>
    public MlTask Task => _definition.Task;

    /// <summary>Lists the stages with their components and settings, in the order they run.</summary>
    /// <returns>The stages.</returns>
    public IReadOnlyList<StageDescription> Describe()
        => [.. RunSteps.Full.Where(step => step.IsPartOf(_definition)).SelectMany(step => step.Describe(_definition))];

    /// <inheritdoc />
    public override string ToString() => string.Join(Environment.NewLine, Describe());

    /// <summary>
    /// Runs the pipeline: extract, check quality, split, prepare and train (fitted on the training part only),
    /// evaluate, validate, deploy.
    /// </summary>
    /// <param name="progress">Receives a report when each stage starts and ends, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">
    /// Cancels the run. It is checked between stages and while data is read; ML.NET's <c>Fit</c> cannot be
    /// interrupted, so a cancellation during training takes effect when the fit returns. Nothing is deployed after cancellation.
    /// A cancellation during a hyperparameter search cancels the run too, once the running trials finish; to stop only the
    /// search and go on with the best trial so far, give <see cref="PipelineRunOptions.StopSearch"/> to
    /// <see cref="RunAsync(IProgress{PipelineProgress}?, PipelineRunOptions, CancellationToken)"/>.
    /// </param>
    /// <returns>The result: timings, data quality, metrics, validation and where the model went.</returns>
    /// <exception cref="PipelineValidationException">The data's schema does not fit the pipeline.</exception>
    /// <exception cref="DataSourceException">The data could not be read.</exception>
    /// <exception cref="DataValidationException">The data cannot be trained on (no rows, one class, missing labels).</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public Task<PipelineResult> RunAsync(IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
        => RunAsync(progress, new PipelineRunOptions(), cancellationToken);

    /// <summary>
    /// Runs the pipeline as <see cref="RunAsync(IProgress{PipelineProgress}?, CancellationToken)"/> does, steered by
    /// <paramref name="options"/>: <see cref="PipelineRunOptions.StopSearch"/> stops the hyperparameter search and goes on
    /// with the best trial so far, while <paramref name="cancellationToken"/> still cancels the whole run.
    /// </summary>
    /// <param name="progress">Receives a report when each stage starts and ends, and when each trial or fold ends, or <see langword="null"/>.</param>
    /// <param name="options">How the run is steered while it runs, such as <c>new PipelineRunOptions { StopSearch = stopSearch.Token }</c>.</param>
    /// <param name="cancellationToken">
    /// Cancels the run, as for <see cref="RunAsync(IProgress{PipelineProgress}?, CancellationToken)"/>: a cancellation during
    /// the search (stopped or not) throws once the running trials finish, and nothing is deployed.
    /// </param>
    /// <returns>The result; <see cref="SearchResult.StoppedEarly"/> on <see cref="PipelineResult.Tuning"/> says whether the search was stopped.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="PipelineValidationException">The data's schema does not fit the pipeline.</exception>
    /// <exception cref="DataSourceException">The data could not be read.</exception>
    /// <exception cref="DataValidationException">The data cannot be trained on (no rows, one class, missing labels).</exception>
    /// <exception cref="MlToolkitException">The search was stopped before its first trial started, or none of its trials could be trained.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public async Task<PipelineResult> RunAsync(IProgress<PipelineProgress>? progress, PipelineRunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        RunContext run = NewRun(RunSteps.Full, progress, options.StopSearch, cancellationToken);
        Diagnostics.RunStarted(_logger, string.Join("; ", Describe()));
        using Activity? activity = Diagnostics.ActivitySource.StartActivity("MlToolkit.Pipeline.Run");
        activity?.SetTag("mltoolkit.task", Task.ToString());
        activity?.SetTag("mltoolkit.seed", Seed);
        await run.RunStepsAsync().ConfigureAwait(false);
        return Result(run);
    }

    /// <summary>
    /// Cross-validates the pipeline's preparation and trainer on every row of its source, as scikit-learn's
    /// <c>cross_validate</c> does: the rows are dealt into folds (see <see cref="CrossValidationOptions"/>; the options given
    /// to <c>CrossValidate(...)</c>, or 5 stratified folds for classification), and each fold fits the preparation and the
    /// trainer on the other folds only and is evaluated on its own rows. No test split, validation or deployment: to
    /// cross-validate inside a full run, add <c>CrossValidate(...)</c> to the builder and read
    /// <see cref="PipelineResult.CrossValidation"/>.
    /// </summary>
    /// <param name="progress">Receives a report when each stage starts and ends and when each fold ends, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the run; it is checked while data is read and between folds (a fold's fit cannot be interrupted).</param>
    /// <returns>Each fold's metrics and each metric's mean, standard deviation and 95% confidence interval.</returns>
    /// <exception cref="PipelineValidationException">The data's schema does not fit the pipeline.</exception>
    /// <exception cref="DataSourceException">The data could not be read.</exception>
    /// <exception cref="DataValidationException">The data cannot be cross-validated (fewer rows or groups than folds, one class in a fold's training rows).</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public async Task<CrossValidationResult> CrossValidateAsync(IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        RunContext run = NewRun(RunSteps.CrossValidateOnly, progress, CancellationToken.None, cancellationToken);
        Diagnostics.RunStarted(_logger, string.Join("; ", Describe()));
        using Activity? activity = Diagnostics.ActivitySource.StartActivity("MlToolkit.Pipeline.CrossValidate");
        activity?.SetTag("mltoolkit.task", Task.ToString());
        activity?.SetTag("mltoolkit.seed", Seed);
        await run.RunStepsAsync().ConfigureAwait(false);
        return run.CrossValidation!;
    }

    /// <summary>
    /// Runs the pipeline's hyperparameter search alone (<c>Tune(...)</c> must have been added), on every row of its source
    /// with <see cref="SearchOptions.ValidationFraction"/> held out to judge the trials. Cancellation stops it starting
    /// trials and returns the best result so far (<see cref="SearchResult.Cancelled"/> and <see cref="SearchResult.StoppedEarly"/>),
    /// once the running trials finish. (In a whole run, <see cref="PipelineRunOptions.StopSearch"/> does this.)
    /// </summary>
    /// <param name="progress">Receives a report when each stage starts and ends and when each trial ends, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the search; a cancellation while the data is read throws.</param>
    /// <returns>Every trial and the best one.</returns>
    /// <exception cref="InvalidOperationException">The pipeline has no search.</exception>
    public async Task<SearchResult> TuneAsync(IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (_definition.Search is null)
        {
            throw new InvalidOperationException("This pipeline has no hyperparameter search; add Tune(...) to its builder.");
        }

        RunContext run = NewRun(RunSteps.TuneOnly, progress, cancellationToken, cancellationToken);
        Diagnostics.RunStarted(_logger, string.Join("; ", Describe()));
        using Activity? activity = Diagnostics.ActivitySource.StartActivity("MlToolkit.Pipeline.Tune");
        activity?.SetTag("mltoolkit.task", Task.ToString());
        await run.RunStepsAsync().ConfigureAwait(false);
        return run.Tuning!;
    }

    private RunContext NewRun(IReadOnlyList<RunStep> steps, IProgress<PipelineProgress>? progress, CancellationToken stopSearch, CancellationToken cancellationToken)
        => new(_definition, _logger, steps, progress, stopSearch, cancellationToken);

    private PipelineResult Result(RunContext run) => new()
    {
        Task = _definition.Task,
        Trainer = run.Trainer.Name,
        Seed = _definition.Seed,
        Rows = run.Table.RowCount + (run.TestTable?.RowCount ?? 0) + (run.ValidationTable?.RowCount ?? 0),
        TrainRows = run.Rows.Training.RowCount,
        ValidationRows = run.Rows.Validation.RowCount,
        TestRows = run.Rows.Test.RowCount,
        DataQuality = run.Quality,
        Metrics = run.TestMetrics,
        LazyTrainingMetrics = run.TrainingMetrics,
        ValidationMetrics = run.ValidationMetrics,
        Validation = run.Verdict,
        Deployments = run.Deployments,
        DeploymentSkippedReason = run.DeploymentSkippedReason,
        Timings = run.Timings,
        Model = run.Model,
        CrossValidation = run.CrossValidation,
        Tuning = run.Tuning,
        FeatureImportance = run.FeatureImportance,
        LearningCurve = run.LearningCurve,
        Snapshots = run.Snapshots,
    };
}
