namespace MlToolkit.Pipeline;

/// <summary>What to do with rows whose label is missing.</summary>
public enum MissingLabelPolicy
{
    /// <summary>Stop before training with a <see cref="Data.DataValidationException"/> that counts them and names the first rows.</summary>
    Fail,

    /// <summary>Drop them and count them in the data-quality report.</summary>
    Drop,
}

/// <summary>How the label column is read. Validated when added to the builder.</summary>
public sealed class LabelOptions
{
    /// <summary>The label column's name.</summary>
    /// <value>The default value is <c>Label</c>.</value>
    public string Column { get; set; } = "Label";

    /// <summary>
    /// For binary classification with two text values, the one that is positive. When <see langword="null"/>:
    /// a known pair decides (yes/no, true/false, y/n, t/f, 1/0, positive/negative, pos/neg, +/-), otherwise the
    /// second value in ordinal order (so <c>spam</c> over <c>ham</c>, <c>&gt;50K</c> over <c>&lt;=50K</c>).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? PositiveClass { get; set; }

    /// <summary>What to do with rows whose label is missing.</summary>
    /// <value>The default value is <see cref="MissingLabelPolicy.Fail"/>.</value>
    public MissingLabelPolicy MissingLabels { get; set; } = MissingLabelPolicy.Fail;
}
