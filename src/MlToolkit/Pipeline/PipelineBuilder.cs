using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlToolkit.Deployment;
using MlToolkit.Evaluation;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Snapshots;
using MlToolkit.Preparation;
using MlToolkit.Preparation.Split;
using MlToolkit.Training;
using MlToolkit.Training.CrossValidation;
using MlToolkit.Training.Search;
using MlToolkit.Validation;

namespace MlToolkit.Pipeline;

/// <summary>
/// Composes a pipeline fluently: a source, a label, preparation, a split, a trainer, evaluation, validation
/// and deployment. Each verb checks its arguments at once; <see cref="Build"/> checks the whole chain (every
/// column name and type, when the source can tell its schema) and returns an immutable <see cref="TrainingPipeline"/>.
/// A builder builds once.
/// </summary>
/// <example>
/// <code>
/// var pipeline = new PipelineBuilder(seed: 42)
///     .FromCsv("data/churn.csv")
///     .Label("Churned")
///     .Prepare(p => p.ImputeMissing().OneHotEncode("Plan", "Region"))
///     .Split(test: 0.2)
///     .Train(Trainers.Binary.LightGbm())
///     .SaveModelTo(new LocalArtifactStore("artifacts"), "churn/model.zip")
///     .Build();
/// PipelineResult result = await pipeline.RunAsync();
/// </code>
/// </example>
public sealed class PipelineBuilder
{
    private readonly List<IPreprocessor> _preprocessors = [];
    private readonly List<IModelValidator> _validators = [];
    private readonly List<IDeployer> _deployers = [];
    private readonly List<string> _ignored = [];
    private IDataSource? _source;
    private IDataSource? _testSource;
    private IDataSource? _validationSource;
    private LabelOptions? _label;
    private SplitOptions _split = new();
    private ITrainer? _trainer;
    private CrossValidationOptions? _crossValidation;
    private SnapshotTarget? _snapshots;
    private SearchPlan? _search;
    private ExplanationOptions? _explanation;
    private LearningCurveOptions? _learningCurve;
    private IEvaluator _evaluator = DefaultEvaluator.Instance;
    private ILoggerFactory _loggerFactory = NullLoggerFactory.Instance;
    private TimeProvider _timeProvider = TimeProvider.System;
    private bool _forceDeployment;
    private bool _built;

    /// <summary>Creates a builder.</summary>
    /// <param name="seed">The one seed of the pipeline: splits, ML.NET and the trainers derive from it, so the same data and seed give the same model.</param>
    public PipelineBuilder(int seed = 0)
    {
        Seed = seed;
    }

    /// <summary>The pipeline's seed.</summary>
    public int Seed { get; }

    /// <summary>Sets the data source.</summary>
    /// <param name="source">The source.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder From(IDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        EnsureNotBuilt();
        _source = source;
        return this;
    }

    /// <summary>Evaluates on a separate source instead of a test part of the split.</summary>
    /// <param name="source">The test data; it needs the same columns as the training data.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder TestOn(IDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        EnsureNotBuilt();
        _testSource = source;
        return this;
    }

    /// <summary>Validates on a separate source instead of a validation part of the split (gates and the fit diagnosis judge on it).</summary>
    /// <param name="source">The validation data; it needs the same columns as the training data.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder ValidateOn(IDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        EnsureNotBuilt();
        _validationSource = source;
        return this;
    }

    /// <summary>Names the label column.</summary>
    /// <param name="column">The column.</param>
    /// <param name="positiveClass">For a binary label with two text values, the positive one (see <see cref="LabelOptions.PositiveClass"/>).</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder Label(string column, string? positiveClass = null)
        => Label(new LabelOptions { Column = column, PositiveClass = positiveClass });

    /// <summary>Configures the label.</summary>
    /// <param name="options">The options.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder Label(LabelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Column, nameof(options.Column));
        EnsureNotBuilt();
        _label = options;
        return this;
    }

    /// <summary>Excludes columns from the features (identifiers, leaking columns, dates).</summary>
    /// <param name="columns">The columns.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder Ignore(params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        EnsureNotBuilt();
        foreach (string column in columns)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(column, nameof(columns));
            _ignored.Add(column);
        }

        return this;
    }

    /// <summary>Adds a preparation step. Without any, <see cref="AutoPreprocessor"/> is used.</summary>
    /// <param name="preprocessor">The step.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder Prepare(IPreprocessor preprocessor)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        EnsureNotBuilt();
        _preprocessors.Add(preprocessor);
        return this;
    }

    /// <summary>Sets the split.</summary>
    /// <param name="test">The test fraction.</param>
    /// <param name="validation">The validation fraction.</param>
    /// <param name="strategy">The strategy; <see cref="SplitStrategy.Auto"/> stratifies classification.</param>
    /// <param name="groupColumn">The group key for <see cref="SplitStrategy.Grouped"/>.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder Split(double test = 0.2, double validation = 0, SplitStrategy strategy = SplitStrategy.Auto, string? groupColumn = null)
        => Split(new SplitOptions { TestFraction = test, ValidationFraction = validation, Strategy = strategy, GroupColumn = groupColumn });

    /// <summary>Sets the split.</summary>
    /// <param name="options">The options.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The options are not valid; the message lists every problem.</exception>
    public PipelineBuilder Split(SplitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        EnsureNotBuilt();
        IReadOnlyList<string> problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _split = options;
        return this;
    }

    /// <summary>Sets the trainer; it decides the task.</summary>
    /// <param name="trainer">The trainer, such as <c>Trainers.Binary.LightGbm()</c>.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder Train(ITrainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        EnsureNotBuilt();
        _trainer = trainer;
        return this;
    }

    /// <summary>Adds k-fold cross-validation (the verb is <c>CrossValidate(...)</c>, in <see cref="CrossValidationBuilderExtensions"/>).</summary>
    /// <param name="options">The options, already validated.</param>
    internal void SetCrossValidation(CrossValidationOptions options)
    {
        EnsureNotBuilt();
        _crossValidation = options.Clone();
    }

    /// <summary>Searches hyperparameters (the verb is <c>Tune(...)</c>, in <see cref="SearchBuilderExtensions"/>).</summary>
    /// <param name="plan">The spaces and validated options.</param>
    internal void SetSearch(SearchPlan plan)
    {
        EnsureNotBuilt();
        _search = plan with { Options = plan.Options.Clone() };
    }

    /// <summary>Computes feature importance after evaluation (the verb is <c>ExplainFeatures(...)</c>, in <see cref="ExplanationBuilderExtensions"/>).</summary>
    /// <param name="options">The validated options.</param>
    internal void SetExplanation(ExplanationOptions options)
    {
        EnsureNotBuilt();
        _explanation = options;
    }

    /// <summary>Computes a learning curve after training (the verb is <c>LearningCurve(...)</c>, in <see cref="LearningCurveBuilderExtensions"/>).</summary>
    /// <param name="options">The validated options.</param>
    internal void SetLearningCurve(LearningCurveOptions options)
    {
        EnsureNotBuilt();
        _learningCurve = options;
    }

    /// <summary>Keeps snapshots of what the sources give (the verb is <c>SnapshotTo(...)</c>, in <see cref="SnapshotBuilderExtensions"/>).</summary>
    /// <param name="target">Where.</param>
    internal void SetSnapshots(SnapshotTarget target)
    {
        EnsureNotBuilt();
        _snapshots = target;
    }

    /// <summary>Replaces the evaluator (the default is <see cref="DefaultEvaluator"/>).</summary>
    /// <param name="evaluator">The evaluator.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder Evaluate(IEvaluator evaluator)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        EnsureNotBuilt();
        _evaluator = evaluator;
        return this;
    }

    /// <summary>Adds a validator; the model deploys only if every validator passes (unless forced).</summary>
    /// <param name="validator">The validator.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder Validate(IModelValidator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        EnsureNotBuilt();
        _validators.Add(validator);
        return this;
    }

    /// <summary>Adds a deployer.</summary>
    /// <param name="deployer">The deployer.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder DeployTo(IDeployer deployer)
    {
        ArgumentNullException.ThrowIfNull(deployer);
        EnsureNotBuilt();
        _deployers.Add(deployer);
        return this;
    }

    /// <summary>Deploys even when validation fails; the result and the log say so.</summary>
    /// <param name="force">Whether to force.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder ForceDeployment(bool force = true)
    {
        EnsureNotBuilt();
        _forceDeployment = force;
        return this;
    }

    /// <summary>Logs through <paramref name="loggerFactory"/> (the default logs nothing).</summary>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder WithLogging(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        EnsureNotBuilt();
        _loggerFactory = loggerFactory;
        return this;
    }

    /// <summary>Measures stage timings with <paramref name="timeProvider"/> (the default is the system clock).</summary>
    /// <param name="timeProvider">The time provider.</param>
    /// <returns>This builder.</returns>
    public PipelineBuilder WithTimeProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        EnsureNotBuilt();
        _timeProvider = timeProvider;
        return this;
    }

    /// <summary>
    /// Checks the whole pipeline and builds it. When the source can tell its schema (CSV, enumerable, DataFrame),
    /// every column the pipeline names and every type is checked here, before any data is read in full.
    /// </summary>
    /// <returns>The immutable pipeline.</returns>
    /// <exception cref="PipelineValidationException">The pipeline cannot work; the message lists every problem.</exception>
    /// <exception cref="InvalidOperationException">The builder has already built a pipeline.</exception>
    public TrainingPipeline Build()
    {
        EnsureNotBuilt();
        var problems = new List<string>();
        if (_source is null)
        {
            problems.Add("No data source: call From(...), FromCsv(...), FromEnumerable(...) or FromDataFrame(...).");
        }

        if (_label is null)
        {
            problems.Add("No label: call Label(\"column\").");
        }

        _trainer ??= _search?.Spaces[0].CreateTrainer(new Dictionary<string, object>());
        if (_trainer is null)
        {
            problems.Add("No trainer: call Train(...), for example Train(Trainers.Binary.LightGbm()), or Tune(...) with a search space.");
        }

        if (_search is not null && _trainer is not null)
        {
            problems.AddRange(_search.Options.Validate());
            foreach (ISearchSpace space in _search.Spaces.Where(s => s.Task != _trainer.Task))
            {
                problems.Add($"Search: the space of {space.TrainerName} is for {space.Task}, but the pipeline's task is {_trainer.Task} ({_trainer.Name}).");
            }
        }

        if (_trainer is { StopsEarly: true } && _split.ValidationFraction == 0 && _validationSource is null)
        {
            problems.Add($"Trainer {_trainer.Name} stops early on the validation part, and the pipeline has none: call Split(test: 0.2, validation: 0.1) or ValidateOn(...).");
        }

        if (_testSource is null && _split.TestFraction == 0)
        {
            problems.Add("No test data: the split's test fraction is 0 and no TestOn(...) source is given, so the model could not be evaluated.");
        }

        if (_label is not null && _ignored.Contains(_label.Column))
        {
            problems.Add($"The label '{_label.Column}' is also ignored.");
        }

        if (_label is not null && _split.GroupColumn == _label.Column)
        {
            problems.Add($"The label '{_label.Column}' cannot be the split's group column.");
        }

        if (_crossValidation is not null)
        {
            problems.AddRange(_crossValidation.Validate());
            if (_crossValidation.Strategy == SplitStrategy.Grouped && _split.GroupColumn is null)
            {
                problems.Add("CrossValidation: the Grouped strategy groups by the split's group column, and the split has none; call Split(strategy: SplitStrategy.Grouped, groupColumn: \"...\").");
            }
        }

        if (problems.Count > 0)
        {
            throw new PipelineValidationException(problems);
        }

        var definition = new PipelineDefinition(
            Seed,
            _source!,
            _testSource,
            _validationSource,
            new LabelOptions { Column = _label!.Column, PositiveClass = _label.PositiveClass, MissingLabels = _label.MissingLabels },
            [.. _ignored],
            _preprocessors.Count > 0 ? [.. _preprocessors] : [new AutoPreprocessor()],
            new SplitOptions { TestFraction = _split.TestFraction, ValidationFraction = _split.ValidationFraction, Strategy = _split.Strategy, GroupColumn = _split.GroupColumn },
            _trainer!,
            _crossValidation?.Clone(),
            _snapshots,
            _search,
            _explanation,
            _learningCurve,
            _evaluator,
            [.. _validators],
            [.. _deployers],
            _forceDeployment,
            _loggerFactory,
            _timeProvider);

        SchemaValidator.ValidateSources(definition);
        _built = true;
        return new TrainingPipeline(definition);
    }

    private void EnsureNotBuilt()
    {
        if (_built)
        {
            throw new InvalidOperationException("This PipelineBuilder has already built a pipeline, which is immutable; start a new PipelineBuilder to compose another.");
        }
    }
}

/// <summary>The parts of a pipeline, fixed at <see cref="PipelineBuilder.Build"/>.</summary>
internal sealed record PipelineDefinition(
    int Seed,
    IDataSource Source,
    IDataSource? TestSource,
    IDataSource? ValidationSource,
    LabelOptions Label,
    IReadOnlyList<string> Ignored,
    IReadOnlyList<IPreprocessor> Preprocessors,
    SplitOptions Split,
    ITrainer Trainer,
    CrossValidationOptions? CrossValidation,
    SnapshotTarget? Snapshots,
    SearchPlan? Search,
    ExplanationOptions? Explanation,
    LearningCurveOptions? LearningCurve,
    IEvaluator Evaluator,
    IReadOnlyList<IModelValidator> Validators,
    IReadOnlyList<IDeployer> Deployers,
    bool ForceDeployment,
    ILoggerFactory LoggerFactory,
    TimeProvider TimeProvider)
{
    public MlTask Task => Trainer.Task;

    public bool IsClassification => Task != MlTask.Regression;

    public SplitStrategy ResolvedSplitStrategy => Split.Strategy == SplitStrategy.Auto
        ? (IsClassification ? SplitStrategy.Stratified : SplitStrategy.Random)
        : Split.Strategy;

    /// <summary>How cross-validation deals rows into folds: its own strategy, or the split's grouping, or by task.</summary>
    public SplitStrategy ResolvedFoldStrategy => CrossValidation is { Strategy: not SplitStrategy.Auto } cv
        ? cv.Strategy
        : Split.GroupColumn is not null ? SplitStrategy.Grouped : IsClassification ? SplitStrategy.Stratified : SplitStrategy.Random;

    /// <summary>The columns dropped before preparation besides the label: ignored columns and the group key.</summary>
    public string[] Dropped => [.. Ignored, .. Split.GroupColumn is null ? Array.Empty<string>() : [Split.GroupColumn]];

    /// <summary>Columns that are never features.</summary>
    public IReadOnlyCollection<string> Excluded
    {
        get
        {
            var set = new HashSet<string>(Ignored, StringComparer.Ordinal) { Label.Column };
            if (Split.GroupColumn is not null)
            {
                set.Add(Split.GroupColumn);
            }

            return set;
        }
    }
}
