namespace MlToolkit.Deployment.Prediction;

/// <summary>What a prediction service does with fields the model does not know.</summary>
public enum UnknownFieldPolicy
{
    /// <summary>Refuse the request with a <see cref="PredictionInputException"/> naming the field.</summary>
    Reject,

    /// <summary>Ignore the field.</summary>
    Ignore,
}

/// <summary>What a prediction service does with a category that was not in the training data.</summary>
public enum UnseenCategoryPolicy
{
    /// <summary>Score the row (the category encodes as all zeros, as a missing one does) and count it.</summary>
    Allow,

    /// <summary>Refuse the request with a <see cref="PredictionInputException"/> naming the field.</summary>
    Reject,
}

/// <summary>Options of the prediction services. Validated when a service is created.</summary>
public sealed class PredictionServiceOptions
{
    /// <summary>The registry alias to serve.</summary>
    /// <value>The default value is <c>production</c>.</value>
    public string Alias { get; set; } = "production";

    /// <summary>How often the alias is checked for a new version; <see cref="TimeSpan.Zero"/> turns automatic reloading off.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Fields the model does not know (untyped requests).</summary>
    /// <value>The default value is <see cref="UnknownFieldPolicy.Reject"/>.</value>
    public UnknownFieldPolicy UnknownFields { get; set; } = UnknownFieldPolicy.Reject;

    /// <summary>
    /// Categories not seen in training. <see cref="UnseenCategoryPolicy.Reject"/> needs a manifest that lists every category
    /// of every text input (<see cref="Registry.ManifestColumn.CategoriesComplete"/>): a version published without training
    /// data, or with more than 10,000 categories in an input, is refused when the service loads it rather than served
    /// with every category let through. Unseen categories are counted only for inputs whose list is complete.
    /// </summary>
    /// <value>The default value is <see cref="UnseenCategoryPolicy.Allow"/> (scored and counted).</value>
    public UnseenCategoryPolicy UnseenCategories { get; set; } = UnseenCategoryPolicy.Allow;

    /// <summary>The largest batch accepted.</summary>
    /// <value>The default value is 10,000 rows.</value>
    public int MaxBatchSize { get; set; } = 10_000;

    /// <summary>The clock for the reload timer, or <see langword="null"/> for the system clock.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TimeProvider? TimeProvider { get; set; }

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Alias, nameof(Alias));
        if (ReloadInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ReloadInterval), ReloadInterval, "ReloadInterval cannot be negative; use TimeSpan.Zero to turn reloading off.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
    }
}
