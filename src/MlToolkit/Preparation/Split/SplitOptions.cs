namespace MlToolkit.Preparation.Split;

/// <summary>How rows are assigned to the training, validation and test parts.</summary>
public enum SplitStrategy
{
    /// <summary>Stratified for classification, random for regression.</summary>
    Auto,

    /// <summary>Rows shuffled with the pipeline's seed.</summary>
    Random,

    /// <summary>Each class split in the same proportions, so every part keeps the class ratios (within one row per class).</summary>
    Stratified,

    /// <summary>Whole groups (rows sharing <see cref="SplitOptions.GroupColumn"/>) go to one part: no group is split.</summary>
    Grouped,
}

/// <summary>Options of the train/validation/test split. Validated when added to the builder.</summary>
public sealed class SplitOptions
{
    /// <summary>The fraction of rows held out for the test part, in [0, 1). Ignored when a separate test source is given.</summary>
    /// <value>The default value is 0.2.</value>
    public double TestFraction { get; set; } = 0.2;

    /// <summary>The fraction of rows held out for the validation part, in [0, 1).</summary>
    /// <value>The default value is 0 (no validation part).</value>
    public double ValidationFraction { get; set; }

    /// <summary>The strategy.</summary>
    /// <value>The default value is <see cref="SplitStrategy.Auto"/>.</value>
    public SplitStrategy Strategy { get; set; } = SplitStrategy.Auto;

    /// <summary>The column whose equal values form a group, for <see cref="SplitStrategy.Grouped"/>. It is not used as a feature.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? GroupColumn { get; set; }

    /// <summary>Checks the options and returns one sentence per problem.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (double.IsNaN(TestFraction) || TestFraction < 0 || TestFraction >= 1)
        {
            problems.Add($"Split: TestFraction is {TestFraction}; it must be in [0, 1), for example 0.2.");
        }

        if (double.IsNaN(ValidationFraction) || ValidationFraction < 0 || ValidationFraction >= 1)
        {
            problems.Add($"Split: ValidationFraction is {ValidationFraction}; it must be in [0, 1), for example 0.1.");
        }

        if (TestFraction + ValidationFraction >= 1)
        {
            problems.Add($"Split: TestFraction ({TestFraction}) + ValidationFraction ({ValidationFraction}) leave no rows for training.");
        }

        if (Strategy == SplitStrategy.Grouped && string.IsNullOrWhiteSpace(GroupColumn))
        {
            problems.Add("Split: the Grouped strategy needs a GroupColumn.");
        }

        if (Strategy != SplitStrategy.Grouped && GroupColumn is not null)
        {
            problems.Add($"Split: GroupColumn '{GroupColumn}' is set but the strategy is {Strategy}; use SplitStrategy.Grouped.");
        }

        return problems;
    }
}
