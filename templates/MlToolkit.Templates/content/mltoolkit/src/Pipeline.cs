using MlToolkit;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;

namespace MlToolkitApp;

/// <summary>The project's pipeline, in code: change the label, the preparation, the trainer and the gates here.</summary>
public static class Pipeline
{
    /// <summary>The pipeline over <paramref name="csvPath"/>, saving to <paramref name="artifacts"/>.</summary>
    /// <param name="csvPath">The data.</param>
    /// <param name="artifacts">Where the model goes.</param>
    /// <param name="seed">The one seed of the run.</param>
    /// <returns>The pipeline, checked against nothing yet (it reads the data when it runs).</returns>
    public static TrainingPipeline Create(string csvPath, string artifacts, int seed = 42)
        => new PipelineBuilder(seed)
            .FromCsv(csvPath)                                  // empty, "?" and "NA" are missing, never 0
            .Label("Churned")                                  // yes/no
            .Ignore("CustomerId")
            .Prepare(p => p
                .ImputeMissing()
                .OneHotEncode("Plan"))
            .Split(test: 0.2, validation: 0.1)                 // stratified by label
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 100, numberOfLeaves: 8, earlyStoppingRounds: 20))
            .Validate(v => v.AtLeast(Metric.Auc, 0.70))
            .DiagnoseFit()
            .SaveModelTo(new LocalArtifactStore(artifacts), "model.zip")
            .Build();
}
