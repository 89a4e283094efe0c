using System.Globalization;
using Microsoft.ML;
using MlToolkit.Data;
using MlToolkit.Pipeline;
using MlToolkit.Preparation.Split;

namespace MlToolkit.Training;

/// <summary>One point of a learning curve.</summary>
/// <param name="TrainRows">The training rows the model had.</param>
/// <param name="TrainingScore">The metric on those rows.</param>
/// <param name="HeldOutScore">The metric on the held-out rows.</param>
public sealed record LearningCurvePoint(int TrainRows, double TrainingScore, double HeldOutScore);

/// <summary>
/// Training and held-out scores of the same preparation and trainer trained on growing, nested, stratified shares of the
/// training part: a gap that stays wide says overfitting (more data or more regularization help); curves that meet low say
/// underfitting (a richer model helps); a held-out curve still rising at the end says more data would help.
/// </summary>
public sealed class LearningCurveResult
{
    internal LearningCurveResult(string metric, string heldOutName, IReadOnlyList<LearningCurvePoint> points)
    {
        Metric = metric;
        HeldOutName = heldOutName;
        Points = points;
    }

    /// <summary>The metric.</summary>
    public string Metric { get; }

    /// <summary>What the held-out scores were measured on: <c>validation</c> or <c>test</c>.</summary>
    public string HeldOutName { get; }

    /// <summary>The points, by growing training size.</summary>
    public IReadOnlyList<LearningCurvePoint> Points { get; }
}

/// <summary>What <c>LearningCurve(...)</c> asked for.</summary>
/// <param name="Points">How many training sizes.</param>
/// <param name="Metric">The metric, or <see langword="null"/> for the task's default.</param>
internal sealed record LearningCurveOptions(int Points, string? Metric);

/// <summary>Computes a learning curve.</summary>
internal static class LearningCurves
{
    public static LearningCurveResult Compute(PipelineDefinition definition, ITrainer trainer, DataTable trainRows, DataTable heldOutRows, string heldOutName, string metric, int points, CancellationToken cancellationToken)
    {
        string source = definition.Source.Name;
        int[][] shares = DataSplitter.Folds(trainRows, Math.Min(points, trainRows.RowCount), definition.ResolvedFoldStrategy, definition.Label.Column, definition.Split.GroupColumn, unchecked((definition.Seed * 131) + 7));
        var result = new List<LearningCurvePoint>();
        for (int i = 1; i <= shares.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int[] rows = [.. shares.Take(i).SelectMany(s => s).Order()];
            var ml = new MLContext(unchecked((definition.Seed * 131) + i));
            string what = string.Create(CultureInfo.InvariantCulture, $"Learning curve on {rows.Length} rows");
            // A trainer that stops early does so on the validation part, as in the run; never on the test part.
            (TrainedModel model, DataTable train, LabelEncoding labels) = PipelineFitter.FitModel(definition, trainer, ml, trainRows.Subset(rows), PipelineStage.LearningCurve, what, source, heldOutName == "validation" ? heldOutRows : null);
            double training = PipelineFitter.Evaluate(definition, model, train, "learning-curve training", source)[metric];
            double heldOut = PipelineFitter.Evaluate(definition, model, PipelineFitter.Encode(definition, labels, heldOutRows), $"learning-curve {heldOutName}", source)[metric];
            result.Add(new LearningCurvePoint(rows.Length, training, heldOut));
        }

        return new LearningCurveResult(metric, heldOutName, result);
    }
}
