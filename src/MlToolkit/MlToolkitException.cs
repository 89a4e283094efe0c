namespace MlToolkit;

/// <summary>
/// The base of every exception MlToolkit throws on purpose. It names the <see cref="Stage"/> and the
/// <see cref="DataSource"/> (a file, a store key, a column) so that a failure can be traced without a debugger.
/// </summary>
public class MlToolkitException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="stage">The pipeline stage that failed.</param>
    /// <param name="source">What the stage was working on (a file, a data source, a model), or <see langword="null"/>.</param>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public MlToolkitException(PipelineStage stage, string? source, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Stage = stage;
        DataSource = source;
    }

    /// <summary>The pipeline stage that failed.</summary>
    public PipelineStage Stage { get; }

    /// <summary>What the stage was working on (a file, a data source, a model), or <see langword="null"/>.</summary>
    public string? DataSource { get; }
}

/// <summary>The stages of a pipeline, in the order they run.</summary>
public enum PipelineStage
{
    /// <summary>Building the pipeline: options and schema checks.</summary>
    Build,

    /// <summary>Storage: reading and writing artifacts.</summary>
    Storage,

    /// <summary>Extraction: reading data from a source.</summary>
    Extraction,

    /// <summary>Data-quality checks on what was extracted.</summary>
    DataQuality,

    /// <summary>Splitting data into training, validation and test parts.</summary>
    Split,

    /// <summary>Searching hyperparameters: configurations trained and judged on held-out rows.</summary>
    Tuning,

    /// <summary>Cross-validating the preparation and trainer: k folds, each fitted on the others and evaluated on its own rows.</summary>
    CrossValidation,

    /// <summary>Preparation: imputation, encoding, scaling.</summary>
    Preparation,

    /// <summary>Training a model.</summary>
    Training,

    /// <summary>Evaluating a model on held-out data.</summary>
    Evaluation,

    /// <summary>Explaining a model: permutation importance of its input columns.</summary>
    Explanation,

    /// <summary>A learning curve: the model trained on growing shares of the training part.</summary>
    LearningCurve,

    /// <summary>Validating a model against gates.</summary>
    Validation,

    /// <summary>Deploying (saving or publishing) a model.</summary>
    Deployment,

    /// <summary>Serving predictions from a deployed model.</summary>
    Prediction,
}
