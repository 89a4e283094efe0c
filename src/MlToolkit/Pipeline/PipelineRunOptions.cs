using MlToolkit.Training.Search;

namespace MlToolkit.Pipeline;

/// <summary>
/// How one run of a <see cref="TrainingPipeline"/> is steered while it runs, apart from cancelling it (which the run's
/// <see cref="CancellationToken"/> does). Passed to
/// <see cref="TrainingPipeline.RunAsync(IProgress{PipelineProgress}?, PipelineRunOptions, CancellationToken)"/>.
/// </summary>
/// <example>
/// A console tool where the first Ctrl+C stops the search and the second cancels the run:
/// <code>
/// using var stopSearch = new CancellationTokenSource();
/// using var cancel = new CancellationTokenSource();
/// Console.CancelKeyPress += (_, e) =&gt; { e.Cancel = true; (stopSearch.IsCancellationRequested ? cancel : stopSearch).Cancel(); };
/// PipelineResult result = await pipeline.RunAsync(progress, new PipelineRunOptions { StopSearch = stopSearch.Token }, cancel.Token);
/// // result.Tuning.StoppedEarly says whether the winner is the best so far rather than the best of every planned trial.
/// </code>
/// </example>
public sealed class PipelineRunOptions
{
    /// <summary>
    /// Tells the hyperparameter search (<c>Tune(...)</c>) to stop and the run to go on with the best trial so far: no
    /// trial starts after it is signalled, the trials already training finish and count (ML.NET's <c>Fit</c> cannot be
    /// interrupted), and the best of the finished trials, chosen as always (the best score of the last round reached, ties
    /// to the earlier trial), is trained again on the whole training part, then evaluated, validated and deployed as usual.
    /// The result's <see cref="SearchResult.StoppedEarly"/> says so, and <see cref="SearchResult.Trials"/> lists the trials
    /// that ran. Given the same seed, the same trials finished give the same winner and model.
    /// </summary>
    /// <remarks>
    /// Signalled before the search's first trial has started (while the data is read or the search's preparation is
    /// fitted), the run fails with an <see cref="MlToolkitException"/> of stage <see cref="PipelineStage.Tuning"/>: there is
    /// no best trial, and nothing is trained or deployed; the same happens when every trial that finished failed. Signalled after the search has ended, or for a pipeline without a search, it
    /// has no effect. To stop the whole run, cancel the run's <see cref="CancellationToken"/> instead: then nothing is
    /// deployed, whether or not the search was stopped first.
    /// </remarks>
    /// <value>The default value is <see cref="CancellationToken.None"/>: the search runs until it has tried every configuration or its <see cref="SearchOptions.TimeBudget"/> is spent.</value>
    public CancellationToken StopSearch { get; set; }
}
