namespace MlToolkit.Deployment.Prediction;

/// <summary>
/// Thrown when a prediction request does not match the model's manifest: a missing field, a wrong type, a non-finite
/// number, a wrong vector length, an unknown field or an unseen category (when those are refused). It names the field
/// and, in a batch, the row; it never echoes the value.
/// </summary>
public sealed class PredictionInputException : MlToolkitException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="model">The model name.</param>
    /// <param name="field">The field at fault.</param>
    /// <param name="reason">What is wrong with it.</param>
    /// <param name="row">The 0-based row in a batch, or <see langword="null"/>.</param>
    public PredictionInputException(string model, string field, string reason, int? row = null)
        : base(PipelineStage.Prediction, model, $"{(row is null ? string.Empty : $"Row {row}: ")}field '{field}' {reason}")
    {
        Field = field;
        Reason = reason;
        Row = row;
    }

    /// <summary>The field at fault.</summary>
    public string Field { get; }

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; }

    /// <summary>The 0-based row in a batch, or <see langword="null"/>.</summary>
    public int? Row { get; }
}
