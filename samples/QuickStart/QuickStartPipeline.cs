using MlToolkit;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;

namespace QuickStart;

/// <summary>The pipeline the README's quick start shows; a test checks that the README quotes it verbatim.</summary>
public static class QuickStartPipeline
{
    /// <summary>Trains, evaluates and saves a churn model from <paramref name="csvPath"/>.</summary>
    /// <param name="csvPath">The churn CSV.</param>
    /// <param name="artifactsRoot">Where the model goes.</param>
    /// <param name="progress">Receives stage progress.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The pipeline result.</returns>
    public static async Task<PipelineResult> RunAsync(string csvPath, string artifactsRoot, IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        // <quickstart>
        TrainingPipeline pipeline = new PipelineBuilder(seed: 42)
            .FromCsv(csvPath)                                  // missing values ("", "?", "NA") are NaN, never 0
            .Label("Churned")                                  // yes/no: "yes" is the positive class
            .Ignore("CustomerId")
            .Prepare(p => p
                .ImputeMissing()                               // mean of the training split
                .OneHotEncode("Plan", "Region"))
            .Split(test: 0.2)                                  // stratified by label for classification
            .Train(Trainers.Binary.LightGbm())
            .SaveModelTo(new LocalArtifactStore(artifactsRoot), "quickstart/model.zip")
            .Build();                                          // checks every column and type before any training

        PipelineResult result = await pipeline.RunAsync(progress, cancellationToken);
        Console.WriteLine($"AUC {result.Metrics[Metric.Auc]:F3}, F1 {result.Metrics[Metric.F1]:F3}; model at {result.ModelLocation}");
        // </quickstart>
        return result;
    }
}
