using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Storage;

namespace MlToolkit.AspNetCore;

/// <summary>The models a host serves and the limits of its prediction endpoints. Validated when the host starts.</summary>
public sealed class MlToolkitServingOptions
{
    private readonly List<ServedModelRegistration> _models = [];

    /// <summary>The largest request body accepted; a larger one gets 413.</summary>
    /// <value>The default value is 1 MiB.</value>
    public long MaxRequestBodyBytes { get; set; } = 1 << 20;

    /// <summary>
    /// How long a prediction request may take to send the rest of its body once the endpoint starts waiting for it; a
    /// body that has not all come by then gets 408 and the connection is closed. Kestrel's <c>MinRequestBodyDataRate</c>
    /// (240 bytes/s after a 5-second grace period, unless the host changes it) limits only the rate, so a body trickled
    /// just above it could hold a request open for over an hour; this limits the whole body.
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns the limit off.
    /// </summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan RequestBodyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most rows a batch request may hold; more get 413 (the model's own <see cref="PredictionServiceOptions.MaxBatchSize"/> is also kept).</summary>
    /// <value>The default value is 1,000.</value>
    public int MaxBatchSize { get; set; } = 1_000;

    /// <summary>The response header that names the model version that answered.</summary>
    /// <value>The default value is <c>X-Model-Version</c>.</value>
    public string VersionHeader { get; set; } = "X-Model-Version";

    /// <summary>How long to wait before trying again to load a model that could not be loaded at start (its alias not set yet, say).</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan StartRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The models, by name.</summary>
    public IReadOnlyList<ServedModelRegistration> Models => _models;

    /// <summary>
    /// Serves the registry <paramref name="name"/> in <paramref name="store"/>: the version its alias
    /// (<see cref="PredictionServiceOptions.Alias"/>, <c>production</c> by default) points at, followed as it moves.
    /// </summary>
    /// <param name="name">The registry's name, which is also the model's name in the routes.</param>
    /// <param name="store">The store that holds the registry.</param>
    /// <param name="configure">Sets the alias, reload interval and policies for unknown fields and unseen categories.</param>
    /// <returns>These options.</returns>
    public MlToolkitServingOptions AddModel(string name, IArtifactStore store, Action<PredictionServiceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        return AddModel(name, _ => new ModelRegistry(store, name), configure);
    }

    /// <summary>Serves a registry the host creates (from its own services, say).</summary>
    /// <param name="name">The model's name in the routes.</param>
    /// <param name="registry">Creates the registry.</param>
    /// <param name="configure">Sets the alias, reload interval and policies.</param>
    /// <returns>These options.</returns>
    public MlToolkitServingOptions AddModel(string name, Func<IServiceProvider, ModelRegistry> registry, Action<PredictionServiceOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(registry);
        if (_models.Any(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"A model named '{name}' is already served.", nameof(name));
        }

        var options = new PredictionServiceOptions();
        configure?.Invoke(options);
        _models.Add(new ServedModelRegistration(name, registry, options));
        return this;
    }

    /// <summary>Checks the options and returns one sentence per problem.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (_models.Count == 0)
        {
            problems.Add("Serving: no model is configured; call AddModel(name, store).");
        }

        if (MaxRequestBodyBytes < 2)
        {
            problems.Add($"Serving: MaxRequestBodyBytes is {MaxRequestBodyBytes}; it must be at least 2.");
        }

        if (MaxRequestBodyBytes > Array.MaxLength - 1)
        {
            problems.Add($"Serving: MaxRequestBodyBytes is {MaxRequestBodyBytes}; a body is read into one array, so it must be at most {Array.MaxLength - 1}.");
        }

        if (RequestBodyTimeout != Timeout.InfiniteTimeSpan && (RequestBodyTimeout <= TimeSpan.Zero || RequestBodyTimeout.TotalMilliseconds > int.MaxValue))
        {
            problems.Add($"Serving: RequestBodyTimeout is {RequestBodyTimeout}; it must be positive and at most {TimeSpan.FromMilliseconds(int.MaxValue)}, or Timeout.InfiniteTimeSpan for no limit.");
        }

        if (MaxBatchSize < 1)
        {
            problems.Add($"Serving: MaxBatchSize is {MaxBatchSize}; it must be at least 1.");
        }

        if (string.IsNullOrWhiteSpace(VersionHeader))
        {
            problems.Add("Serving: VersionHeader is empty.");
        }

        if (StartRetryInterval <= TimeSpan.Zero)
        {
            problems.Add($"Serving: StartRetryInterval is {StartRetryInterval}; it must be positive.");
        }

        foreach (ServedModelRegistration model in _models.Where(m => !System.Text.RegularExpressions.Regex.IsMatch(m.Name, "^[A-Za-z0-9][A-Za-z0-9._-]*$")))
        {
            problems.Add($"Serving: the model name '{model.Name}' cannot be a route segment; use letters, digits, '.', '_' and '-'.");
        }

        return problems;
    }
}

/// <summary>One served model.</summary>
/// <param name="Name">Its name in the routes.</param>
/// <param name="CreateRegistry">Creates its registry.</param>
/// <param name="Options">The prediction service's options.</param>
public sealed record ServedModelRegistration(string Name, Func<IServiceProvider, ModelRegistry> CreateRegistry, PredictionServiceOptions Options);
