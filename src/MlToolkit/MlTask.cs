namespace MlToolkit;

/// <summary>The learning task a pipeline solves; it decides how labels are read and which metrics are computed.</summary>
public enum MlTask
{
    /// <summary>Two classes: labels are booleans, 0/1 numbers, or exactly two distinct strings.</summary>
    BinaryClassification,

    /// <summary>Two or more classes: labels are strings or numbers, mapped back to them in predictions.</summary>
    MulticlassClassification,

    /// <summary>A numeric label.</summary>
    Regression,
}
