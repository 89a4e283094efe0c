using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlToolkit.Deployment.Prediction;

namespace MlToolkit.AspNetCore;

/// <summary>
/// The prediction services of the configured models, by name (case-insensitive). Registered as a singleton by
/// <c>AddMlToolkitServing</c>; it loads every model when the host starts (off the request path, retrying a model whose
/// alias is not set yet) and follows each alias as it moves.
/// </summary>
public sealed class ModelServing : IHostedService, IAsyncDisposable
{
    private readonly Dictionary<string, PredictionService> _services;
    private readonly MlToolkitServingOptions _options;
    private readonly ILogger<ModelServing> _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _starting = [];
    private int _disposed;

    /// <summary>Creates the services (not started).</summary>
    /// <param name="options">The serving options.</param>
    /// <param name="services">The host's services, for registries the host creates.</param>
    /// <param name="loggerFactory">Loggers.</param>
    /// <exception cref="OptionsValidationException">The options are not valid (the message lists every problem).</exception>
    public ModelServing(IOptions<MlToolkitServingOptions> options, IServiceProvider services, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options.Value; // validated on first use by ServingOptionsValidator: every problem in one exception
        _logger = loggerFactory.CreateLogger<ModelServing>();
        EndpointLogger = loggerFactory.CreateLogger(typeof(PredictionEndpoint).FullName!);
        ILogger serviceLogger = loggerFactory.CreateLogger<PredictionService>();
        _services = _options.Models.ToDictionary(m => m.Name, m => new PredictionService(m.CreateRegistry(services), m.Options, serviceLogger), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The options.</summary>
    public MlToolkitServingOptions Options => _options;

    /// <summary>The prediction endpoints' logger (created once, not per request).</summary>
    internal ILogger EndpointLogger { get; }

    /// <summary>The models' names, as configured.</summary>
    public IReadOnlyCollection<string> Names => _services.Keys;

    /// <summary>Whether every configured model has a version loaded (what readiness reports).</summary>
    public bool AllLoaded => _services.Values.All(s => s.Version is not null);

    /// <summary>Looks a model's prediction service up by name (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <param name="service">The service.</param>
    /// <returns>Whether the model is configured.</returns>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PredictionService? service)
        => _services.TryGetValue(name, out service);

    /// <summary>Starts loading every model; it does not wait for them (readiness says when they are loaded).</summary>
    /// <param name="cancellationToken">Not used: loading goes on in the background.</param>
    /// <returns>A completed task.</returns>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach ((string name, PredictionService service) in _services)
        {
            _starting.Add(StartOneAsync(name, service, _stop.Token));
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops following the aliases.</summary>
    /// <param name="cancellationToken">Not used.</param>
    /// <returns>A task.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_starting).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as a hosted service, so the container may dispose it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (PredictionService service in _services.Values)
        {
            await service.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task StartOneAsync(string name, PredictionService service, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await service.StartAsync(cancellationToken).ConfigureAwait(false);
                _logger.LogInformation(2100, "Model '{Model}' version {Version} is loaded and served", name, service.Version);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (MlToolkitException ex)
            {
                // Expected while nothing is published or promoted yet: the reason, without a stack trace.
                _logger.LogWarning(2101, "Model '{Model}' could not be loaded ({Reason}); trying again in {Interval}", name, ex.Message, _options.StartRetryInterval);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(2101, ex, "Model '{Model}' could not be loaded; trying again in {Interval}", name, _options.StartRetryInterval);
            }

            try
            {
                await Task.Delay(_options.StartRetryInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>Readiness: healthy when every configured model has a version loaded, degraded (503 on readiness) until then.</summary>
internal sealed class ModelsLoadedHealthCheck(ModelServing serving) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = serving.Names.ToDictionary(n => n, n => (object)(serving.TryGet(n, out PredictionService? s) && s.Version is { } v ? v : "not loaded"));
        return Task.FromResult(serving.AllLoaded
            ? HealthCheckResult.Healthy("Every model is loaded.", data)
            : HealthCheckResult.Degraded($"Not loaded yet: {string.Join(", ", data.Where(d => d.Value is string).Select(d => d.Key))}.", data: data));
    }
}

/// <summary>
/// The serving metrics and traces, under the names <see cref="MeterName"/> and <see cref="ActivitySourceName"/> (what an
/// OpenTelemetry host adds with <c>AddMeter</c> and <c>AddSource</c>); no OpenTelemetry dependency here.
/// </summary>
public sealed class ServingTelemetry : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "MlToolkit.AspNetCore";

    /// <summary>The activity source's name.</summary>
    public const string ActivitySourceName = "MlToolkit.AspNetCore";

    private readonly Meter _meter;

    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">The host's meter factory.</param>
    /// <param name="serving">The served models, for the observable counters.</param>
    /// <param name="timeProvider">The clock request durations are measured with, or <see langword="null"/> for the system's.</param>
    public ServingTelemetry(IMeterFactory meterFactory, ModelServing serving, TimeProvider? timeProvider = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(serving);
        _meter = meterFactory.Create(MeterName);
        Duration = _meter.CreateHistogram<double>("mltoolkit.prediction.duration", "s", "Time to check a prediction request and score it, by model and outcome.");
        Rows = _meter.CreateCounter<long>("mltoolkit.prediction.rows", "{row}", "Rows scored, by model.");
        Errors = _meter.CreateCounter<long>("mltoolkit.prediction.errors", "{request}", "Prediction requests refused or failed, by model and HTTP status.");
        _meter.CreateObservableCounter("mltoolkit.model.reloads", () => Each(serving, s => s.Reloads), "{reload}", "New versions swapped in after the first load, by model.");
        _meter.CreateObservableCounter("mltoolkit.prediction.unseen_categories", () => Each(serving, s => s.UnseenCategories), "{value}", "Categories not seen in training met in requests, by model.");
        _meter.CreateObservableGauge("mltoolkit.model.version", () => Each(serving, s => (long)(s.Version ?? 0)), "{version}", "The version each model serves (0 before it is loaded).");
    }

    /// <summary>The traces of prediction requests: one activity per request, <c>predict {model}</c>.</summary>
    public static ActivitySource ActivitySource { get; } = new(ActivitySourceName);

    internal TimeProvider TimeProvider { get; }

    internal Histogram<double> Duration { get; }

    internal Counter<long> Rows { get; }

    internal Counter<long> Errors { get; }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> Each(ModelServing serving, Func<PredictionService, long> value)
    {
        foreach (string name in serving.Names)
        {
            if (serving.TryGet(name, out PredictionService? service))
            {
                yield return new Measurement<long>(value(service), new KeyValuePair<string, object?>("model", name));
            }
        }
    }
}

/// <summary>Checks the serving options when they are first used (or at host start), listing every problem at once.</summary>
internal sealed class ServingOptionsValidator : IValidateOptions<MlToolkitServingOptions>
{
    public ValidateOptionsResult Validate(string? name, MlToolkitServingOptions options)
    {
        IReadOnlyList<string> problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
