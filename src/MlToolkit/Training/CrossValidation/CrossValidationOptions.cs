using MlToolkit.Preparation.Split;

namespace MlToolkit.Training.CrossValidation;

/// <summary>
/// Options of k-fold cross-validation. Validated when added to the builder (<c>CrossValidate(...)</c>) and again at
/// <c>Build()</c>, where every problem is reported in one exception.
/// </summary>
/// <remarks>
/// Each fold fits the whole preparation and the trainer on the other folds' rows only (no leakage) and evaluates on its own
/// rows with the pipeline's evaluator. Each fold has its own <c>MLContext</c> seeded from the pipeline's seed and the fold
/// number, so the results do not depend on <see cref="MaxDegreeOfParallelism"/>, and adding cross-validation to a pipeline
/// does not change the model its run trains.
/// </remarks>
public sealed class CrossValidationOptions
{
    /// <summary>The number of folds, from 2 to 100.</summary>
    /// <value>The default value is 5.</value>
    public int Folds { get; set; } = 5;

    /// <summary>
    /// How rows are dealt into folds. <see cref="SplitStrategy.Auto"/> groups by the split's group column when the split is
    /// <see cref="SplitStrategy.Grouped"/>, and otherwise stratifies classification by the label and shuffles regression.
    /// <see cref="SplitStrategy.Grouped"/> uses the split's <see cref="SplitOptions.GroupColumn"/>: grouping the folds by a key
    /// that the train/test split does not group by would leak the same groups between the test part and training anyway.
    /// </summary>
    /// <value>The default value is <see cref="SplitStrategy.Auto"/>.</value>
    public SplitStrategy Strategy { get; set; } = SplitStrategy.Auto;

    /// <summary>
    /// How many folds are fitted at once. Every fold has its own <c>MLContext</c> and seed, so any degree gives the same
    /// results. Raise it for single-threaded trainers (SDCA and L-BFGS as MlToolkit configures them) on a machine with
    /// spare cores; LightGBM and FastTree already use every core.
    /// </summary>
    /// <value>The default value is 1 (folds one after another).</value>
    public int MaxDegreeOfParallelism { get; set; } = 1;

    /// <summary>
    /// The metric whose spread across folds is checked against <see cref="MaxStandardDeviation"/>, or <see langword="null"/>
    /// for the task's default: AUC (binary), macro F1 (multiclass), R² (regression).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Metric { get; set; }

    /// <summary>
    /// The largest standard deviation of <see cref="Metric"/> across folds that is not worth a warning. Above it, the
    /// result's <see cref="CrossValidationResult.Unstable"/> is <see langword="true"/> and a warning is logged: the estimate
    /// from a single split would depend on which rows it happened to hold out.
    /// </summary>
    /// <value>The default value is 0.05.</value>
    public double MaxStandardDeviation { get; set; } = 0.05;

    /// <summary>Checks the options and returns one sentence per problem.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Folds is < 2 or > 100)
        {
            problems.Add($"CrossValidation: Folds is {Folds}; it must be from 2 to 100, for example 5.");
        }

        if (MaxDegreeOfParallelism < 1)
        {
            problems.Add($"CrossValidation: MaxDegreeOfParallelism is {MaxDegreeOfParallelism}; it must be at least 1.");
        }

        if (double.IsNaN(MaxStandardDeviation) || MaxStandardDeviation < 0)
        {
            problems.Add($"CrossValidation: MaxStandardDeviation is {MaxStandardDeviation}; it must be 0 or more, for example 0.05.");
        }

        if (Metric is not null && string.IsNullOrWhiteSpace(Metric))
        {
            problems.Add("CrossValidation: Metric is blank; name a metric such as Metric.Auc, or leave it null for the task's default.");
        }

        return problems;
    }

    /// <summary>A copy, so that a built pipeline does not see later changes.</summary>
    internal CrossValidationOptions Clone() => (CrossValidationOptions)MemberwiseClone();
}
