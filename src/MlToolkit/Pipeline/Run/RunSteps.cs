using MlToolkit.Deployment;
using MlToolkit.Evaluation;
using MlToolkit.Extraction;
using MlToolkit.Preparation;
using MlToolkit.Preparation.Split;
using MlToolkit.Training;
using MlToolkit.Training.CrossValidation;
using MlToolkit.Training.Search;
using MlToolkit.Validation;

namespace MlToolkit.Pipeline.Run;

/// <summary>The spine of a run: its steps in order. Each decides whether the pipeline has it (<see cref="RunStep.IsPartOf"/>).</summary>
internal static class RunSteps
{
    /// <summary>A whole run (<see cref="TrainingPipeline.RunAsync(IProgress{PipelineProgress}?, CancellationToken)"/>).</summary>
    public static IReadOnlyList<RunStep> Full { get; } =
    [
        new ExtractionStep(),
        new DataQualityStep(),
        new SplitStep(),
        new TuningStep(),
        new CrossValidationStep(),
        new PreparationStep(),
        new TrainingStep(),
        new EvaluationStep(),
        new ExplanationStep(),
        new LearningCurveStep(),
        new ValidationStep(),
        new DeploymentStep(),
    ];

    /// <summary>Cross-validation alone, on every row of the source.</summary>
    public static IReadOnlyList<RunStep> CrossValidateOnly { get; } = [new ExtractionStep(readOthers: false), new DataQualityStep(), new CrossValidationStep(onAllRows: true)];

    /// <summary>The search alone, on every row of the source.</summary>
    public static IReadOnlyList<RunStep> TuneOnly { get; } = [new ExtractionStep(readOthers: false), new DataQualityStep(), new TuningStep(onAllRows: true)];
}
