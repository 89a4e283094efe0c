using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Training;

namespace MlToolkit.Pipeline;

/// <summary>
/// The steps of a fit that a pipeline run and each cross-validation fold share: encode the label with classes from the
/// training rows only, compose the estimators, wrap the fitted parts into a model, evaluate it.
/// </summary>
internal static class PipelineFitter
{
    /// <summary>Drops the columns that are never features, learns the label's classes from <paramref name="trainRows"/> and encodes them.</summary>
    public static (DataTable Train, LabelEncoding Labels) EncodeTraining(PipelineDefinition definition, DataTable trainRows, string source)
    {
        DataTable raw = WithoutDropped(definition, trainRows);
        LabelEncoding encoding = LabelEncoding.Fit(raw, definition.Label, definition.Task, source);
        return (encoding.Apply(raw), encoding);
    }

    /// <summary>Drops the columns that are never features and encodes the label of held-out rows with the training classes.</summary>
    public static DataTable Encode(PipelineDefinition definition, LabelEncoding encoding, DataTable part)
        => encoding.Apply(WithoutDropped(definition, part));

    /// <summary>
    /// The preparation and trainer estimators for <paramref name="train"/> (the pipeline's trainer, or <paramref name="trainer"/>
    /// when tuning chose another); a problem stops with a <see cref="PipelineValidationException"/>.
    /// </summary>
    public static (IEstimator<ITransformer> Preparation, IEstimator<ITransformer> Trainer) Compose(PipelineDefinition definition, MLContext ml, DataTable train, string source, ITrainer? trainer = null, Func<IDataView>? validation = null)
    {
        var problems = new List<string>();
        return SchemaValidator.Compose(definition, ml, train, problems, trainer, validation) ?? throw new PipelineValidationException(problems, source);
    }

    /// <summary>The preparation and the fitted trainer as one model, with the raw input schema of <paramref name="train"/>.</summary>
    public static TrainedModel CreateModel(PipelineDefinition definition, MLContext ml, ITransformer preparation, ITransformer trainer, DataTable train, LabelEncoding labels, string? trainerName = null)
    {
        var fitted = new TransformerChain<ITransformer>(preparation, trainer);
        DataViewSchema inputSchema = train.WithoutColumns(definition.Label.Column).Schema;
        return new TrainedModel(ml, fitted, inputSchema, definition.Task, definition.Label.Column, labels.ClassNames, trainerName ?? definition.Trainer.Name);
    }

    /// <summary>Scores <paramref name="data"/> with <paramref name="model"/> and evaluates it; a foreign failure names the data set.</summary>
    public static EvaluationResult Evaluate(PipelineDefinition definition, TrainedModel model, DataTable data, string name, string source)
    {
        try
        {
            return definition.Evaluator.Evaluate(new EvaluationContext(model.MLContext, definition.Task, model.Transform(data), definition.Label.Column, model.ClassNames, name));
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not MlToolkitException)
        {
            throw new MlToolkitException(PipelineStage.Evaluation, source, $"Evaluating on the {name} data failed: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Fits the whole model on <paramref name="trainRows"/> (raw labels, every column): label classes, preparation (cached) and
    /// <paramref name="trainer"/>, all in <paramref name="ml"/>. A foreign failure names <paramref name="stage"/> and <paramref name="what"/>.
    /// </summary>
    public static (TrainedModel Model, DataTable Train, LabelEncoding Labels) FitModel(PipelineDefinition definition, ITrainer trainer, MLContext ml, DataTable trainRows, PipelineStage stage, string what, string source, DataTable? earlyStoppingRows = null)
    {
        (DataTable train, LabelEncoding labels) = EncodeTraining(definition, trainRows, source);
        ITransformer? preparation = null;
        Func<IDataView>? validation = earlyStoppingRows is { RowCount: > 0 } && trainer.StopsEarly
            ? () => ml.Data.Cache(preparation!.Transform(Encode(definition, labels, earlyStoppingRows)))
            : null;
        (IEstimator<ITransformer> preparationEstimator, IEstimator<ITransformer> trainerEstimator) = Compose(definition, ml, train, source, trainer, validation);
        preparation = Guard(() => preparationEstimator.Fit(train), "fitting the preparation");
        IDataView prepared = ml.Data.Cache(preparation.Transform(train));
        ITransformer fitted = Guard(() => trainerEstimator.Fit(prepared), $"training {trainer.Name}");
        return (CreateModel(definition, ml, preparation, fitted, train, labels, trainer.Name), train, labels);

        ITransformer Guard(Func<ITransformer> fit, string step)
        {
            try
            {
                return fit();
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not MlToolkitException)
            {
                throw new MlToolkitException(stage, source, $"{what}: {step} ({source}) failed: {ex.Message}", ex);
            }
        }
    }

    private static DataTable WithoutDropped(PipelineDefinition definition, DataTable table)
        => table.WithoutColumns([.. definition.Dropped.Where(c => table.FindColumn(c) is not null)]);
}
