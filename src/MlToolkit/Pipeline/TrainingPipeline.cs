using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlToolkit.Data;
using MlToolkit.Deployment;
using MlToolkit.Evaluation;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Snapshots;
using MlToolkit.Internal;
using MlToolkit.Preparation.Split;
using MlToolkit.Training;
using MlToolkit.Training.CrossValidation;
using MlToolkit.Training.Search;
using MlToolkit.Validation;

namespace MlToolkit.Pipeline;

/// <summary>
/// An immutable pipeline built by <see cref="PipelineBuilder"/>. Run it as often as you like; each run uses a
/// fresh <see cref="MLContext"/> seeded with the pipeline's seed, so the same data gives the same model.
/// </summary>
public sealed class TrainingPipeline
{
    private readonly PipelineDefinition _definition;
    private readonly ILogger _logger;

    internal TrainingPipeline(PipelineDefinition definition)
    {
        _definition = definition;
        _logger = definition.LoggerFactory.CreateLogger("MlToolkit.Pipeline");
    }

    /// <summary>The pipeline's seed.</summary>
    public int Seed => _definition.Seed;

    /// <summary>The task, decided by the trainer.</summary>
    public MlTask Task => _definition.Task;

    /// <summary>Lists the stages with their components and settings, in the order they run.</summary>
    /// <returns>The stages.</returns>
    public IReadOnlyList<StageDescription> Describe()
    {
        PipelineDefinition d = _definition;
        var stages = new List<StageDescription>
        {
            new(PipelineStage.Extraction, d.Source.Name, string.Join(", ", new[] { d.TestSource is null ? null : $"test: {d.TestSource.Name}", d.ValidationSource is null ? null : $"validation: {d.ValidationSource.Name}", d.Snapshots is null ? null : $"snapshots: {d.Snapshots.Store.GetLocation(d.Snapshots.Prefix)}" }.OfType<string>())),
            new(PipelineStage.DataQuality, "DataQualityReport", $"label '{d.Label.Column}', missing labels: {d.Label.MissingLabels}" + (d.Ignored.Count > 0 ? $", ignored: {string.Join(", ", d.Ignored)}" : string.Empty)),
            new(PipelineStage.Split, d.ResolvedSplitStrategy.ToString(), FormattableString.Invariant($"test {(d.TestSource is null ? d.Split.TestFraction : 0)}, validation {d.Split.ValidationFraction}, seed {d.Seed}") + (d.Split.GroupColumn is null ? string.Empty : $", group '{d.Split.GroupColumn}'")),
        };
        if (d.Search is { } search)
        {
            stages.Add(new StageDescription(PipelineStage.Tuning, "HyperparameterSearch", FormattableString.Invariant($"{search.Options.Strategy}, {search.Options.MaxTrials} trials, {string.Join(" + ", search.Spaces.Select(x => x.TrainerName))}, metric {search.Options.Metric ?? FitDiagnosisValidator.DefaultMetric(d.Task)}")));
        }

        if (d.CrossValidation is { } cv)
        {
            stages.Add(new StageDescription(PipelineStage.CrossValidation, "CrossValidator", FormattableString.Invariant($"{cv.Folds} folds, {d.ResolvedFoldStrategy}, parallel {cv.MaxDegreeOfParallelism}") + (d.ResolvedFoldStrategy == SplitStrategy.Grouped ? $", group '{d.Split.GroupColumn}'" : string.Empty)));
        }

        stages.AddRange(d.Preprocessors.Select(p => new StageDescription(PipelineStage.Preparation, p.Name, string.Empty)));
        stages.Add(new StageDescription(PipelineStage.Training, d.Trainer.Name, d.Task.ToString()));
        stages.Add(new StageDescription(PipelineStage.Evaluation, d.Evaluator.GetType().Name, string.Empty));
        if (d.Explanation is { } explanation)
        {
            stages.Add(new StageDescription(PipelineStage.Explanation, "PermutationImportance", FormattableString.Invariant($"{explanation.Repeats} repeats, metric {explanation.Metric ?? FitDiagnosisValidator.DefaultMetric(d.Task)}")));
        }

        if (d.LearningCurve is { } curve)
        {
            stages.Add(new StageDescription(PipelineStage.LearningCurve, "LearningCurve", FormattableString.Invariant($"{curve.Points} sizes, metric {curve.Metric ?? FitDiagnosisValidator.DefaultMetric(d.Task)}")));
        }

        stages.AddRange(d.Validators.Select(v => new StageDescription(PipelineStage.Validation, v.GetType().Name, v.ToString() ?? string.Empty)));
        stages.AddRange(d.Deployers.Select(x => new StageDescription(PipelineStage.Deployment, x.GetType().Name, x.ToString() ?? string.Empty)));
        return stages;
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(Environment.NewLine, Describe());

    /// <summary>
    /// Runs the pipeline: extract, check quality, split, prepare and train (fitted on the training part only),
    /// evaluate, validate, deploy.
    /// </summary>
    /// <param name="progress">Receives a report when each stage starts and ends, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">
    /// Cancels the run. It is checked between stages and while data is read; ML.NET's <c>Fit</c> cannot be
    /// interrupted, so a cancellation during training takes effect when the fit returns. Nothing is deployed after cancellation.
    /// A cancellation during a hyperparameter search cancels the run too, once the running trials finish; to stop only the
    /// search and go on with the best trial so far, give <see cref="PipelineRunOptions.StopSearch"/> to
    /// <see cref="RunAsync(IProgress{PipelineProgress}?, PipelineRunOptions, CancellationToken)"/>.
    /// </param>
    /// <returns>The result: timings, data quality, metrics, validation and where the model went.</returns>
    /// <exception cref="PipelineValidationException">The data's schema does not fit the pipeline.</exception>
    /// <exception cref="DataSourceException">The data could not be read.</exception>
    /// <exception cref="DataValidationException">The data cannot be trained on (no rows, one class, missing labels).</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public Task<PipelineResult> RunAsync(IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
        => RunAsync(progress, new PipelineRunOptions(), cancellationToken);

    /// <summary>
    /// Runs the pipeline as <see cref="RunAsync(IProgress{PipelineProgress}?, CancellationToken)"/> does, steered by
    /// <paramref name="options"/>: <see cref="PipelineRunOptions.StopSearch"/> stops the hyperparameter search and goes on
    /// with the best trial so far, while <paramref name="cancellationToken"/> still cancels the whole run.
    /// </summary>
    /// <param name="progress">Receives a report when each stage starts and ends, and when each trial or fold ends, or <see langword="null"/>.</param>
    /// <param name="options">How the run is steered while it runs, such as <c>new PipelineRunOptions { StopSearch = stopSearch.Token }</c>.</param>
    /// <param name="cancellationToken">
    /// Cancels the run, as for <see cref="RunAsync(IProgress{PipelineProgress}?, CancellationToken)"/>: a cancellation during
    /// the search (stopped or not) throws once the running trials finish, and nothing is deployed.
    /// </param>
    /// <returns>The result; <see cref="SearchResult.StoppedEarly"/> on <see cref="PipelineResult.Tuning"/> says whether the search was stopped.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="PipelineValidationException">The data's schema does not fit the pipeline.</exception>
    /// <exception cref="DataSourceException">The data could not be read.</exception>
    /// <exception cref="DataValidationException">The data cannot be trained on (no rows, one class, missing labels).</exception>
    /// <exception cref="MlToolkitException">The search was stopped before its first trial started, or none of its trials could be trained.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public async Task<PipelineResult> RunAsync(IProgress<PipelineProgress>? progress, PipelineRunOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var run = new Run(_definition, _logger, progress, crossValidateOnly: false, cancellationToken) { StopSearch = options.StopSearch };
        Diagnostics.RunStarted(_logger, string.Join("; ", Describe()));
        using Activity? activity = Diagnostics.ActivitySource.StartActivity("MlToolkit.Pipeline.Run");
        activity?.SetTag("mltoolkit.task", Task.ToString());
        activity?.SetTag("mltoolkit.seed", Seed);
        return await run.ExecuteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Cross-validates the pipeline's preparation and trainer on every row of its source, as scikit-learn's
    /// <c>cross_validate</c> does: the rows are dealt into folds (see <see cref="CrossValidationOptions"/>; the options given
    /// to <c>CrossValidate(...)</c>, or 5 stratified folds for classification), and each fold fits the preparation and the
    /// trainer on the other folds only and is evaluated on its own rows. No test split, validation or deployment: to
    /// cross-validate inside a full run, add <c>CrossValidate(...)</c> to the builder and read
    /// <see cref="PipelineResult.CrossValidation"/>.
    /// </summary>
    /// <param name="progress">Receives a report when each stage starts and ends and when each fold ends, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the run; it is checked while data is read and between folds (a fold's fit cannot be interrupted).</param>
    /// <returns>Each fold's metrics and each metric's mean, standard deviation and 95% confidence interval.</returns>
    /// <exception cref="PipelineValidationException">The data's schema does not fit the pipeline.</exception>
    /// <exception cref="DataSourceException">The data could not be read.</exception>
    /// <exception cref="DataValidationException">The data cannot be cross-validated (fewer rows or groups than folds, one class in a fold's training rows).</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public async Task<CrossValidationResult> CrossValidateAsync(IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var run = new Run(_definition, _logger, progress, crossValidateOnly: true, cancellationToken);
        Diagnostics.RunStarted(_logger, string.Join("; ", Describe()));
        using Activity? activity = Diagnostics.ActivitySource.StartActivity("MlToolkit.Pipeline.CrossValidate");
        activity?.SetTag("mltoolkit.task", Task.ToString());
        activity?.SetTag("mltoolkit.seed", Seed);
        return await run.CrossValidateOnlyAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the pipeline's hyperparameter search alone (<c>Tune(...)</c> must have been added), on every row of its source
    /// with <see cref="SearchOptions.ValidationFraction"/> held out to judge the trials. Cancellation stops it starting
    /// trials and returns the best result so far (<see cref="SearchResult.Cancelled"/> and <see cref="SearchResult.StoppedEarly"/>),
    /// once the running trials finish. (In a whole run, <see cref="PipelineRunOptions.StopSearch"/> does this.)
    /// </summary>
    /// <param name="progress">Receives a report when each stage starts and ends and when each trial ends, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the search; a cancellation while the data is read throws.</param>
    /// <returns>Every trial and the best one.</returns>
    /// <exception cref="InvalidOperationException">The pipeline has no search.</exception>
    public async Task<SearchResult> TuneAsync(IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (_definition.Search is null)
        {
            throw new InvalidOperationException("This pipeline has no hyperparameter search; add Tune(...) to its builder.");
        }

        var run = new Run(_definition, _logger, progress, crossValidateOnly: true, cancellationToken);
        Diagnostics.RunStarted(_logger, string.Join("; ", Describe()));
        using Activity? activity = Diagnostics.ActivitySource.StartActivity("MlToolkit.Pipeline.Tune");
        activity?.SetTag("mltoolkit.task", Task.ToString());
        return await run.TuneOnlyAsync().ConfigureAwait(false);
    }

    private sealed class Run
    {
        private readonly PipelineDefinition _d;
        private readonly ILogger _logger;
        private readonly IProgress<PipelineProgress>? _progress;
        private readonly CancellationToken _ct;
        private readonly List<StageTiming> _timings = [];
        private readonly List<DataSnapshot> _snapshots = [];
        private ITrainer _trainer;
        private readonly MLContext _ml;
        private readonly int _stageCount;
        private int _stageNumber;

        /// <summary>Stops the search of this run and goes on with the best trial so far (<see cref="PipelineRunOptions.StopSearch"/>).</summary>
        public CancellationToken StopSearch { get; init; }

        public Run(PipelineDefinition definition, ILogger logger, IProgress<PipelineProgress>? progress, bool crossValidateOnly, CancellationToken cancellationToken)
        {
            _d = definition;
            _logger = logger;
            _progress = progress;
            _ct = cancellationToken;
            _ml = new MLContext(definition.Seed);
            _trainer = definition.Trainer;
            _stageCount = crossValidateOnly
                ? 3
                : 6 + (definition.Search is null ? 0 : 1) + (definition.CrossValidation is null ? 0 : 1) + (definition.Explanation is null ? 0 : 1) + (definition.LearningCurve is null ? 0 : 1) + (definition.Validators.Count > 0 ? 1 : 0) + (definition.Deployers.Count > 0 ? 1 : 0);
        }

        public async Task<PipelineResult> ExecuteAsync()
        {
            string source = _d.Source.Name;
            (DataTable table, ExtractedData extracted, DataTable? testTable, DataTable? validationTable, DataQualityReport quality) = await ReadAsync(readOthers: true).ConfigureAwait(false);

            // 3. Split, then encode labels with classes from the training part only.
            (DataTable train, DataTable validation, DataTable test, LabelEncoding labels, DataTable trainRows, DataTable validationRows, DataTable testRows) = await StageAsync(PipelineStage.Split, "Splitting", () =>
            {
                var options = new SplitOptions
                {
                    TestFraction = testTable is null ? _d.Split.TestFraction : 0,
                    ValidationFraction = validationTable is null ? _d.Split.ValidationFraction : 0,
                    Strategy = _d.Split.Strategy,
                    GroupColumn = _d.Split.GroupColumn,
                };
                SplitIndexes parts = DataSplitter.Split(table, options, _d.ResolvedSplitStrategy, _d.Label.Column, _d.Seed);
                Diagnostics.Split(_logger, parts.Train.Length, parts.Validation.Length, testTable?.RowCount ?? parts.Test.Length, _d.ResolvedSplitStrategy.ToString());
                if (parts.Train.Length == 0 || (testTable is null && parts.Test.Length == 0))
                {
                    throw new DataValidationException(PipelineStage.Split, source, $"The split of {table.RowCount} rows left {parts.Train.Length} for training and {parts.Test.Length} for testing; both need rows. Use more data or other fractions.");
                }

                DataTable trainAll = table.Subset(parts.Train);
                (DataTable trainEncoded, LabelEncoding encoding) = PipelineFitter.EncodeTraining(_d, trainAll, source);
                if (_d.Task == MlTask.BinaryClassification)
                {
                    Diagnostics.PositiveClass(_logger, _d.Label.Column, encoding.ClassNames[1], encoding.ClassNames[0]);
                }

                DataTable testPart = testTable is null ? table.Subset(parts.Test) : testTable;
                DataTable validationPart = validationTable ?? table.Subset(parts.Validation);
                return System.Threading.Tasks.Task.FromResult((
                    trainEncoded,
                    PipelineFitter.Encode(_d, encoding, validationPart),
                    PipelineFitter.Encode(_d, encoding, testPart),
                    encoding,
                    trainAll,
                    validationPart,
                    testPart));
            }).ConfigureAwait(false);

            // Hyperparameter search on the training part, judged on the validation part or on rows held out of training.
            SearchResult? tuning = null;
            if (_d.Search is { } plan)
            {
                // StopSearch ends the search early and the run goes on with the best trial so far; the run's token still
                // cancels the run (StageAsync throws once the running trials finish, and nothing is deployed).
                tuning = await StageAsync(PipelineStage.Tuning, $"Searching {plan.Options.MaxTrials} configurations ({plan.Options.Strategy})", () => SearchAsync(trainRows, validationRows, StopSearch)).ConfigureAwait(false);
                if (tuning.Cancelled)
                {
                    _ct.ThrowIfCancellationRequested();
                }

                _trainer = tuning switch
                {
                    { Best: not null } => tuning.CreateBestTrainer(),
                    { StoppedEarly: true, Trials.Count: 0 } => throw new MlToolkitException(PipelineStage.Tuning, source, "The search was stopped before its first trial started (PipelineRunOptions.StopSearch), so there is no best configuration to train: nothing was trained or deployed. Stop the search once a trial has finished (the progress reports each one), or cancel the run instead."),
                    _ => throw new MlToolkitException(PipelineStage.Tuning, source, $"No configuration of the search could be trained ({tuning.Trials.Count} tried{(tuning.StoppedEarly ? " before the search was stopped" : string.Empty)}); the log says why each failed."),
                };
            }

            // Cross-validation of the same preparation and trainer, on the training part only.
            CrossValidationResult? crossValidation = null;
            if (_d.CrossValidation is not null)
            {
                crossValidation = await StageAsync(PipelineStage.CrossValidation, $"Cross-validating on {trainRows.RowCount} training rows", () => CrossValidateAsync(trainRows)).ConfigureAwait(false);
            }

            // 4. Preparation, fitted on the training part only.
            (ITransformer preparation, IDataView prepared, IEstimator<ITransformer> trainerEstimator) = await StageAsync(PipelineStage.Preparation, $"Preparing {train.RowCount} training rows", async () =>
            {
                // A trainer that stops early gets the validation part, prepared by the preparation fitted here.
                ITransformer? fittedPreparation = null;
                Func<IDataView>? earlyStopping = validation.RowCount > 0 && _trainer.StopsEarly ? () => _ml.Data.Cache(fittedPreparation!.Transform(validation)) : null;
                (IEstimator<ITransformer> Preparation, IEstimator<ITransformer> Trainer) estimators = PipelineFitter.Compose(_d, _ml, train, source, _trainer, earlyStopping);
                ITransformer fitted = await FitAsync(PipelineStage.Preparation, "Fitting the preparation", () => estimators.Preparation.Fit(train)).ConfigureAwait(false);
                fittedPreparation = fitted;

                // Cached so that multi-pass trainers do not recompute the preparation on every pass.
                return (fitted, _ml.Data.Cache(fitted.Transform(train)), estimators.Trainer);
            }).ConfigureAwait(false);

            // 5. Training.
            TrainedModel model = await StageAsync(PipelineStage.Training, $"Training {_trainer.Name} on {train.RowCount} rows", async () =>
            {
                ITransformer trainer = await FitAsync(PipelineStage.Training, $"Training {_trainer.Name} on {train.RowCount} rows", () => trainerEstimator.Fit(prepared)).ConfigureAwait(false);
                return PipelineFitter.CreateModel(_d, _ml, preparation, trainer, train, labels, _trainer.Name);
            }).ConfigureAwait(false);

            // 6. Evaluation.
            (EvaluationResult testMetrics, Lazy<EvaluationResult> trainMetrics, EvaluationResult? validationMetrics) = await StageAsync(PipelineStage.Evaluation, $"Evaluating on {test.RowCount} rows", () =>
            {
                EvaluationResult Evaluate(DataTable data, string name) => PipelineFitter.Evaluate(_d, model, data, name, source);

                EvaluationResult t = Evaluate(test, "test");
                Diagnostics.Metrics(_logger, string.Join(", ", t.Metrics.Select(m => FormattableString.Invariant($"{m.Key}={m.Value:G4}"))));
                // Training metrics are computed on first use only: a plain run does not pay for scoring the training part.
                var training = new Lazy<EvaluationResult>(() => Evaluate(train, "training"), LazyThreadSafetyMode.ExecutionAndPublication);
                return System.Threading.Tasks.Task.FromResult((t, training, validation.RowCount > 0 ? Evaluate(validation, "validation") : null));
            }).ConfigureAwait(false);

            // Explanation: permutation importance of the raw input columns on the test data.
            FeatureImportanceResult? importance = null;
            if (_d.Explanation is { } explanation)
            {
                string metric = explanation.Metric ?? FitDiagnosisValidator.DefaultMetric(_d.Task);
                importance = await StageAsync(PipelineStage.Explanation, $"Permuting {model.InputSchema.Count} input columns {explanation.Repeats} times", () => DedicatedThread.RunAsync(() => PermutationImportance.Compute(_d, model, test, metric, explanation.Repeats, _d.Seed, _ct), _ct)).ConfigureAwait(false);
            }

            // Learning curve: the same preparation and trainer on growing shares of the training part.
            LearningCurveResult? curve = null;
            if (_d.LearningCurve is { } curveOptions)
            {
                string metric = curveOptions.Metric ?? FitDiagnosisValidator.DefaultMetric(_d.Task);
                (DataTable heldOut, string heldOutName) = validationRows.RowCount > 0 ? (validationRows, "validation") : (testRows, "test");
                curve = await StageAsync(PipelineStage.LearningCurve, $"Learning curve: {curveOptions.Points} training sizes", () => DedicatedThread.RunAsync(() => LearningCurves.Compute(_d, _trainer, trainRows, heldOut, heldOutName, metric, curveOptions.Points, _ct), _ct)).ConfigureAwait(false);
            }

            // 7. Validation.
            ValidationResult? verdict = null;
            if (_d.Validators.Count > 0)
            {
                verdict = await StageAsync(PipelineStage.Validation, "Validating", async () =>
                {
                    var gates = new List<GateResult>();
                    FitDiagnosis? diagnosis = null;
                    var context = new ValidationContext(model, testMetrics, validationMetrics, () => trainMetrics.Value)
                    {
                        HeldOutData = validation.RowCount > 0 ? validation : test,
                        TrainingData = train,
                        HeldOutName = validation.RowCount > 0 ? "validation" : "test",
                        Evaluator = _d.Evaluator,
                        CrossValidation = crossValidation,
                    };
                    foreach (IModelValidator validator in _d.Validators)
                    {
                        ValidationResult result = await validator.ValidateAsync(context, _ct).ConfigureAwait(false);
                        gates.AddRange(result.Gates);
                        diagnosis ??= result.Diagnosis;
                        if (!result.Passed && result.Gates.All(g => g.Passed))
                        {
                            gates.Add(new GateResult(validator.GetType().Name, false, double.NaN, double.NaN, "The validator failed without naming a gate."));
                        }
                    }

                    return new ValidationResult(gates.All(g => g.Passed), gates) { Diagnosis = diagnosis };
                }).ConfigureAwait(false);
            }

            // 8. Deployment.
            var deployments = new List<DeploymentResult>();
            string? skipped = null;
            if (_d.Deployers.Count > 0)
            {
                string reasons = verdict is null ? string.Empty : string.Join("; ", verdict.Gates.Where(g => !g.Passed).Select(g => $"{g.Name}: {g.Reason}"));
                if (verdict is { Passed: false } && !_d.ForceDeployment)
                {
                    skipped = $"Validation failed: {reasons}";
                    Diagnostics.DeploymentSkipped(_logger, reasons);
                }
                else
                {
                    if (verdict is { Passed: false })
                    {
                        Diagnostics.DeploymentForced(_logger, reasons);
                    }

                    string? fingerprint = null;
                    await StageAsync(PipelineStage.Deployment, "Deploying", async () =>
                    {
                        foreach (IDeployer deployer in _d.Deployers)
                        {
                            _ct.ThrowIfCancellationRequested();
                            var context = new DeploymentContext(model, testMetrics, verdict, _d.Seed)
                            {
                                TrainingMetrics = trainMetrics.Value,
                                ValidationMetrics = validationMetrics,
                                TrainingData = train,
                                DataFingerprint = fingerprint ??= DataFingerprint.Compute(train),
                                DataSnapshots = _snapshots,
                            };
                            DeploymentResult result = await deployer.DeployAsync(context, _ct).ConfigureAwait(false);
                            Diagnostics.Deployed(_logger, result.Location, result.Bytes, result.Sha256);
                            deployments.Add(result);
                        }

                        return deployments.Count;
                    }).ConfigureAwait(false);
                }
            }

            return new PipelineResult
            {
                Task = _d.Task,
                Trainer = _trainer.Name,
                Seed = _d.Seed,
                Rows = table.RowCount + (testTable?.RowCount ?? 0) + (validationTable?.RowCount ?? 0),
                TrainRows = train.RowCount,
                ValidationRows = validation.RowCount,
                TestRows = test.RowCount,
                DataQuality = quality,
                Metrics = testMetrics,
                LazyTrainingMetrics = trainMetrics,
                ValidationMetrics = validationMetrics,
                Validation = verdict,
                Deployments = deployments,
                DeploymentSkippedReason = skipped,
                Timings = _timings,
                Model = model,
                CrossValidation = crossValidation,
                Tuning = tuning,
                FeatureImportance = importance,
                LearningCurve = curve,
                Snapshots = _snapshots,
            };
        }

        /// <summary>Cross-validation alone, on every row of the source: extraction, data quality, folds.</summary>
        public async Task<CrossValidationResult> CrossValidateOnlyAsync()
        {
            (DataTable table, _, _, _, _) = await ReadAsync(readOthers: false).ConfigureAwait(false);
            return await StageAsync(PipelineStage.CrossValidation, $"Cross-validating on {table.RowCount} rows", () => CrossValidateAsync(table)).ConfigureAwait(false);
        }

        /// <summary>Stages 1 and 2: extraction (the test and validation sources too, when <paramref name="readOthers"/>) and data quality.</summary>
        private async Task<(DataTable Table, ExtractedData Extracted, DataTable? Test, DataTable? Validation, DataQualityReport Quality)> ReadAsync(bool readOthers)
        {
            string source = _d.Source.Name;

            // 1. Extraction.
            DataTable? validationTable = null;
            (DataTable table, ExtractedData extracted, DataTable? testTable) = await StageAsync(PipelineStage.Extraction, $"Reading {source}", async () =>
            {
                var context = new ExtractionContext(_ml, _logger);
                ExtractedData data = await _d.Source.ExtractAsync(context, _ct).ConfigureAwait(false);
                DataTable t = DataTable.FromDataView(data.Data, source, _ct, _d.Ignored);
                Diagnostics.Extracted(_logger, t.RowCount, t.Columns.Count, source);
                await SnapshotAsync(t, source).ConfigureAwait(false);
                if (data.SkippedRowCount > 0)
                {
                    Diagnostics.SkippedRows(_logger, source, data.SkippedRowCount);
                }

                // Checked against the schemas the sources gave (ignored columns included, whatever their type).
                var problems = new List<string>();
                SchemaValidator.Validate(_d, data.Data.Schema, problems);
                DataTable? test = readOthers ? await ExtractOtherAsync(_d.TestSource, context, data.Data.Schema, problems).ConfigureAwait(false) : null;
                validationTable = readOthers ? await ExtractOtherAsync(_d.ValidationSource, context, data.Data.Schema, problems).ConfigureAwait(false) : null;
                if (problems.Count > 0)
                {
                    throw new PipelineValidationException(problems, source);
                }

                return (t, data, test);
            }).ConfigureAwait(false);

            // 2. Data quality and labels.
            (DataQualityReport quality, table, testTable) = await StageAsync(PipelineStage.DataQuality, "Checking data quality", () =>
            {
                if (table.RowCount == 0)
                {
                    throw new DataValidationException(PipelineStage.DataQuality, source, $"{source} has no data rows{(extracted.SkippedRowCount > 0 ? $" ({extracted.SkippedRowCount} malformed rows were skipped)" : string.Empty)}; there is nothing to train on.");
                }

                (DataTable kept, long dropped) = HandleMissingLabels(table, source);
                DataQualityReport report = DataQualityReport.Compute(table, _d.Label.Column, _d.IsClassification, extracted, dropped);
                foreach (string column in report.ConstantColumns.Where(c => c != _d.Label.Column))
                {
                    Diagnostics.ConstantColumn(_logger, column);
                }

                DataTable? test = testTable is null ? null : HandleMissingLabels(testTable, _d.TestSource!.Name).Kept;
                if (test is { RowCount: 0 })
                {
                    throw new DataValidationException(PipelineStage.DataQuality, _d.TestSource!.Name, $"The test source {_d.TestSource!.Name} has no rows with a label.");
                }

                validationTable = validationTable is null ? null : HandleMissingLabels(validationTable, _d.ValidationSource!.Name).Kept;
                if (validationTable is { RowCount: 0 })
                {
                    throw new DataValidationException(PipelineStage.DataQuality, _d.ValidationSource!.Name, $"The validation source {_d.ValidationSource!.Name} has no rows with a label.");
                }

                return System.Threading.Tasks.Task.FromResult((report, kept, test));
            }).ConfigureAwait(false);


            return (table, extracted, testTable, validationTable, quality);
        }

        private Task<CrossValidationResult> CrossValidateAsync(DataTable rows)
        {
            CrossValidationOptions options = _d.CrossValidation ?? new CrossValidationOptions();
            var validator = new CrossValidator(_d, options, _trainer, _logger, (done, message) => _progress?.Report(new PipelineProgress(PipelineStage.CrossValidation, _stageNumber, _stageCount, false, message) { Step = done, StepCount = options.Folds }));
            return validator.RunAsync(rows, _ct);
        }

        /// <summary>The search, stopped early by <paramref name="stop"/> (the best so far kept) or by the run's token.</summary>
        private Task<SearchResult> SearchAsync(DataTable trainRows, DataTable? validationRows, CancellationToken stop)
        {
            SearchPlan plan = _d.Search!;
            var search = new HyperparameterSearch(_d, plan, _logger, (done, total, message) => _progress?.Report(new PipelineProgress(PipelineStage.Tuning, _stageNumber, _stageCount, false, message) { Step = done, StepCount = total }));
            return search.RunAsync(trainRows, validationRows, stop, _ct);
        }

        /// <summary>The search alone, on every row of the source: extraction, data quality, search.</summary>
        public async Task<SearchResult> TuneOnlyAsync()
        {
            (DataTable table, _, _, _, _) = await ReadAsync(readOthers: false).ConfigureAwait(false);
            return await StageAsync(PipelineStage.Tuning, $"Searching on {table.RowCount} rows", () => SearchAsync(table, null, _ct), cancellable: false).ConfigureAwait(false);
        }

        /// <summary>Reads a separate test or validation source and checks its schema against the training data's.</summary>
        private async Task<DataTable?> ExtractOtherAsync(IDataSource? other, ExtractionContext context, DataViewSchema trainSchema, List<string> problems)
        {
            if (other is null)
            {
                return null;
            }

            ExtractedData data = await other.ExtractAsync(context, _ct).ConfigureAwait(false);
            SchemaValidator.ValidateTestSchema(_d, trainSchema, data.Data.Schema, problems, other.Name);
            DataTable table = DataTable.FromDataView(data.Data, other.Name, _ct, _d.Ignored);
            Diagnostics.Extracted(_logger, table.RowCount, table.Columns.Count, other.Name);
            await SnapshotAsync(table, other.Name).ConfigureAwait(false);
            return table;
        }

        /// <summary>Keeps a content-addressed copy of what a source gave, when the pipeline asks for snapshots.</summary>
        private async Task SnapshotAsync(DataTable table, string source)
        {
            if (_d.Snapshots is not { } target)
            {
                return;
            }

            string[] absent = [.. _d.Ignored.Where(c => table.FindColumn(c) is null)];
            DataSnapshot snapshot = await DataSnapshot.SaveAsync(target.Store, target.Prefix, table, source, absent, _ct).ConfigureAwait(false);
            Diagnostics.Snapshot(_logger, source, snapshot.Key, snapshot.Sha256);
            _snapshots.Add(snapshot);
        }

        /// <summary>
        /// Runs an ML.NET fit on a thread of its own (see <see cref="DedicatedThread"/>: LightGBM trains up to 1.6× slower after
        /// fits on pool threads); it cannot be interrupted, so cancellation is observed when it returns.
        /// </summary>
        private async Task<ITransformer> FitAsync(PipelineStage stage, string what, Func<ITransformer> fit)
        {
            try
            {
                return await DedicatedThread.RunAsync(fit, _ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not MlToolkitException)
            {
                throw new MlToolkitException(stage, _d.Source.Name, $"{what} ({_d.Source.Name}) failed: {ex.Message}", ex);
            }
        }

        private (DataTable Kept, long Dropped) HandleMissingLabels(DataTable table, string source)
        {
            DataTableColumn label = table.FindColumn(_d.Label.Column)!;
            var missing = new List<int>();
            for (int row = 0; row < table.RowCount; row++)
            {
                if (label.IsMissing(table.SourceRow(row)))
                {
                    missing.Add(row);
                }
            }

            if (missing.Count == 0)
            {
                return (table, 0);
            }

            if (missing.Count == table.RowCount)
            {
                throw new DataValidationException(PipelineStage.DataQuality, source,
                    $"All {table.RowCount} rows of {source} have no value in the label '{_d.Label.Column}'{(_d.Label.MissingLabels == MissingLabelPolicy.Drop ? ", so dropping them (MissingLabels = Drop) leaves nothing" : string.Empty)}: check that '{_d.Label.Column}' is the label column and that its values are not all empty or missing tokens (CsvSourceOptions.MissingValues).",
                    _d.Label.Column);
            }

            if (_d.Label.MissingLabels == MissingLabelPolicy.Fail)
            {
                string rows = string.Join(", ", missing.Take(5).Select(r => (r + 1).ToString(CultureInfo.InvariantCulture)));
                throw new DataValidationException(PipelineStage.DataQuality, source,
                    $"{missing.Count} of {table.RowCount} rows of {source} have no value in the label '{_d.Label.Column}' (data rows {rows}{(missing.Count > 5 ? ", …" : string.Empty)}). Fix the data, or set LabelOptions.MissingLabels = MissingLabelPolicy.Drop to drop them.",
                    _d.Label.Column);
            }

            Diagnostics.DroppedMissingLabels(_logger, missing.Count, _d.Label.Column);
            var missingSet = new HashSet<int>(missing);
            return (table.Subset(Enumerable.Range(0, table.RowCount).Where(r => !missingSet.Contains(r)).ToArray()), missing.Count);
        }

        private async Task<T> StageAsync<T>(PipelineStage stage, string message, Func<Task<T>> body, bool cancellable = true)
        {
            _ct.ThrowIfCancellationRequested();
            _stageNumber++;
            _progress?.Report(new PipelineProgress(stage, _stageNumber, _stageCount, false, message));
            using Activity? activity = Diagnostics.ActivitySource.StartActivity($"MlToolkit.{stage}");
            long start = _d.TimeProvider.GetTimestamp();
            T result;
            try
            {
                result = await body().ConfigureAwait(false);
                if (cancellable)
                {
                    _ct.ThrowIfCancellationRequested();
                }
            }
            catch (Exception ex)
            {
                activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
                throw;
            }

            TimeSpan elapsed = _d.TimeProvider.GetElapsedTime(start);
            _timings.Add(new StageTiming(stage, elapsed));
            activity?.SetTag("mltoolkit.elapsed_ms", elapsed.TotalMilliseconds);
            Diagnostics.StageFinished(_logger, stage, elapsed.TotalMilliseconds);
            _progress?.Report(new PipelineProgress(stage, _stageNumber, _stageCount, true, message));
            return result;
        }
    }
}
