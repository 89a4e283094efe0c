using MlToolkit;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;

namespace QuickStart;

/// <summary>The pipeline the README's quick start shows; a test checks that the README quotes each <c>quickstart</c> block verbatim.</summary>
public static class QuickStartPipeline
{
    /// <summary>Trains, evaluates, validates and publishes a churn model from <paramref name="csvPath"/> to the registry in <paramref name="artifactsRoot"/>.</summary>
    /// <param name="csvPath">The churn CSV.</param>
    /// <param name="artifactsRoot">Where the model goes.</param>
    /// <param name="progress">Receives stage progress.</param>
    /// <param name="extend">Adds to the pipeline before it is built (the command line's <c>--cv</c> and <c>--tune</c>).</param>
    /// <param name="runOptions">
    /// How the run is steered, or <see langword="null"/>: the command line's <see cref="PipelineRunOptions.StopSearch"/> stops
    /// the search that <c>--tune</c> adds, and the run goes on with the best trial so far (the first Ctrl+C).
    /// </param>
    /// <param name="cancellationToken">Cancels the run; nothing is published (the second Ctrl+C).</param>
    /// <returns>The pipeline result.</returns>
    public static async Task<PipelineResult> RunAsync(string csvPath, string artifactsRoot, IProgress<PipelineProgress>? progress = null, Action<PipelineBuilder>? extend = null, PipelineRunOptions? runOptions = null, CancellationToken cancellationToken = default)
    {
        // <quickstart>
        var registry = new ModelRegistry(new LocalArtifactStore(artifactsRoot), "quickstart");

        PipelineBuilder builder = new PipelineBuilder(seed: 42)
            .FromCsv(csvPath)                                  // missing values ("", "?", "NA") are NaN, never 0
            .Label("Churned")                                  // yes/no: "yes" is the positive class
            .Ignore("CustomerId")
            .Prepare(p => p
                .ImputeMissing()                               // mean of the training split
                .OneHotEncode("Plan", "Region"))
            .Split(test: 0.2, validation: 0.1)                 // stratified by label for classification
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 60, numberOfLeaves: 4)) // small trees: no overfitting
            .Validate(v => v.AtLeast(Metric.Auc, 0.70))        // absolute gate
            .DiagnoseFit()                                     // healthy, overfitting or underfitting?
            .ValidateAgainst(registry, Metric.Auc, tolerance: 0.01) // not worse than what is in production
            .PublishTo(registry, promoteTo: "production");     // version N+1, promoted when every gate passes
        // </quickstart>
        extend?.Invoke(builder);                               // the command line's --cv and --tune
        runOptions ??= new PipelineRunOptions();               // and its Ctrl+C: the first stops a search, the second cancels
        // <quickstart>
        TrainingPipeline pipeline = builder.Build();           // checks every column and type before any training

        PipelineResult result = await pipeline.RunAsync(progress, runOptions, cancellationToken);
        Console.WriteLine($"AUC {result.Metrics[Metric.Auc]:F3}; version {result.Deployments.FirstOrDefault()?.Version} promoted to {result.Deployments.FirstOrDefault()?.PromotedTo ?? "nothing"}");
        // </quickstart>
        return result;
    }
}
