using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Data;
using MlToolkit.Deployment.Registry;

namespace MlToolkit.Deployment.Prediction;

/// <summary>
/// Serves the model a registry alias points at, and follows the alias: when it moves, the new version is loaded (its
/// SHA-256 checked), given a trial prediction off the request path, and swapped in atomically. Requests in flight
/// finish on the model they started with; a version that fails to load or to predict never replaces a working one.
/// </summary>
/// <typeparam name="TState">What a derived service keeps per loaded version (an engine pool, an input schema).</typeparam>
public abstract class PredictionServiceBase<TState> : IAsyncDisposable
    where TState : class
{
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _reloadLock = new(1, 1);
    private Served? _current;
    private Task? _loop;
    private long _reloads;
    private long _unseen;

    /// <summary>Creates the service; call <see cref="StartAsync"/> before predicting.</summary>
    /// <param name="registry">The registry.</param>
    /// <param name="options">The options, or <see langword="null"/> for the defaults.</param>
    /// <param name="logger">The logger, or <see langword="null"/>.</param>
    protected PredictionServiceBase(ModelRegistry registry, PredictionServiceOptions? options, ILogger? logger)
    {
        Registry = registry ?? throw new ArgumentNullException(nameof(registry));
        Options = options ?? new PredictionServiceOptions();
        Options.Validate();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The registry.</summary>
    public ModelRegistry Registry { get; }

    /// <summary>The options.</summary>
    public PredictionServiceOptions Options { get; }

    /// <summary>The version being served, or <see langword="null"/> before <see cref="StartAsync"/>.</summary>
    public int? Version => Volatile.Read(ref _current)?.Model.Manifest.Version;

    /// <summary>The manifest of the version being served.</summary>
    public ModelManifest Manifest => Current.Model.Manifest;

    /// <summary>How many times a new version was swapped in after the first load.</summary>
    public long Reloads => Interlocked.Read(ref _reloads);

    /// <summary>How many unseen categories were met in requests (counted per field and row).</summary>
    public long UnseenCategories => Interlocked.Read(ref _unseen);

    /// <summary>Why the last reload failed (the previous version kept serving), or <see langword="null"/>.</summary>
    public Exception? LastReloadError { get; private set; }

    /// <summary>The version being served and its state.</summary>
    /// <exception cref="InvalidOperationException">The service has not been started.</exception>
    protected Served Current => Volatile.Read(ref _current)
        ?? throw new InvalidOperationException("The prediction service has not been started: call StartAsync first.");

    /// <summary>Loads the alias's version (failing if it cannot) and starts following the alias.</summary>
    /// <param name="cancellationToken">Cancels the first load.</param>
    /// <returns>A task.</returns>
    /// <exception cref="ModelRegistryException">The alias is not set or its version cannot be loaded.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        if (Volatile.Read(ref _current) is null)
        {
            throw LastReloadError ?? new ModelRegistryException(Registry.Name, null, $"alias '{Options.Alias}' could not be loaded.");
        }

        if (Options.ReloadInterval > TimeSpan.Zero && _loop is null)
        {
            _loop = FollowAsync(_stop.Token);
        }
    }

    /// <summary>
    /// Checks the alias now and, if it points at another version, loads, tries and swaps it in. A failure keeps the
    /// current version and is kept in <see cref="LastReloadError"/> (before the first load, it is thrown).
    /// </summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns><see langword="true"/> when a new version is now served.</returns>
    public async Task<bool> ReloadAsync(CancellationToken cancellationToken = default)
    {
        await _reloadLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Served? current = Volatile.Read(ref _current);
            try
            {
                ModelAlias alias = await Registry.GetAliasAsync(Options.Alias, cancellationToken).ConfigureAwait(false)
                    ?? throw new ModelRegistryException(Registry.Name, null, $"alias '{Options.Alias}' is not set, so there is no model to serve.");
                if (current?.Model.Manifest.Version == alias.Version)
                {
                    return false;
                }

                LoadedModel model = await Registry.LoadAsync(alias.Version, cancellationToken).ConfigureAwait(false);
                CheckSupports(model.Manifest);
                TState state = CreateState(model);
                Try(model);
                Volatile.Write(ref _current, new Served(model, state));
                if (current is not null)
                {
                    Interlocked.Increment(ref _reloads);
                }

                LastReloadError = null;
                _logger.LogInformation(2000, "Serving '{Model}' version {Version} ({Alias})", Registry.Name, alias.Version, Options.Alias);
                return true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && current is not null)
            {
                LastReloadError = ex;
                _logger.LogWarning(2001, ex, "Reloading '{Model}' ({Alias}) failed; version {Version} keeps serving", Registry.Name, Options.Alias, current.Model.Manifest.Version);
                return false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LastReloadError = ex;
                throw;
            }
        }
        finally
        {
            _reloadLock.Release();
        }
    }

    /// <summary>Creates what the service keeps for a newly loaded version; throw if the version cannot be served.</summary>
    /// <param name="model">The loaded model.</param>
    /// <returns>The state.</returns>
    protected abstract TState CreateState(LoadedModel model);

    /// <summary>Counts unseen categories met in a request.</summary>
    /// <param name="count">How many.</param>
    protected void CountUnseen(int count) => Interlocked.Add(ref _unseen, count);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
        _reloadLock.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Refuses a version whose manifest cannot support the options: refusing unseen categories needs, for every text
    /// input, the complete list of the categories seen in training; without it every category would pass unchecked.
    /// </summary>
    private void CheckSupports(ModelManifest manifest)
    {
        if (Options.UnseenCategories != UnseenCategoryPolicy.Reject)
        {
            return;
        }

        foreach (ManifestColumn input in manifest.Inputs)
        {
            if (input.Kind == "Text" && !(input.CategoriesComplete && input.Categories is not null))
            {
                string why = input.Categories is null
                    ? "it was published without training data (DeploymentContext.TrainingData) that has this column, so they are unknown"
                    : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"training had more than {ModelRegistry.MaxCategories:N0} of them and only the first {ModelRegistry.MaxCategories:N0} were recorded");
                throw new ModelRegistryException(manifest.Name, manifest.Version,
                    $"cannot be served with UnseenCategories = Reject: its manifest does not know every category of input '{input.Name}' ({why}). Publish it with its training data, or serve it with UnseenCategoryPolicy.Allow.");
            }
        }
    }

    /// <summary>A trial prediction on one synthetic row built from the manifest (zeros, first categories).</summary>
    private static void Try(LoadedModel model)
    {
        DataTable row = InputConverter.SampleRow(model.Manifest);
        IDataView scored = model.Transformer.Transform(row);
        using DataViewRowCursor cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name is "Score" or "PredictedLabel" or "Probability"));
        if (!cursor.MoveNext())
        {
            throw new ModelRegistryException(model.Manifest.Name, model.Manifest.Version, "its trial prediction returned no row.");
        }
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Options.ReloadInterval, Options.TimeProvider ?? TimeProvider.System);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await ReloadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LastReloadError = ex;
            }
        }
    }

    /// <summary>A served version and its state.</summary>
    /// <param name="Model">The loaded model.</param>
    /// <param name="State">The derived service's state for it.</param>
    protected sealed record Served(LoadedModel Model, TState State);
}
