using Microsoft.ML;

namespace MlToolkit.Evaluation;

/// <summary>
/// Stage 5 of a pipeline: computes metrics from a scored data view. Use <see cref="DefaultEvaluator"/> for the
/// built-in metrics of each task.
/// </summary>
public interface IEvaluator
{
    /// <summary>Computes the metrics.</summary>
    /// <param name="context">The scored data and what its columns mean.</param>
    /// <returns>The metrics.</returns>
    EvaluationResult Evaluate(EvaluationContext context);
}

/// <summary>What an evaluator gets: the scored data and the meaning of its columns.</summary>
/// <param name="MLContext">The run's ML.NET context.</param>
/// <param name="Task">The task.</param>
/// <param name="Scored">The data after the model: it has the label and the trainer's output columns.</param>
/// <param name="LabelColumn">The label column (boolean for binary, a key for multiclass, a number for regression).</param>
/// <param name="ClassNames">For multiclass, the class values in key order; for binary, the negative and positive class; otherwise empty.</param>
/// <param name="DataName">Which data this is, such as <c>test</c> or <c>validation</c>, for messages.</param>
public sealed record EvaluationContext(MLContext MLContext, MlTask Task, IDataView Scored, string LabelColumn, IReadOnlyList<string> ClassNames, string DataName);
