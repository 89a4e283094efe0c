using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace MlToolkit.Training;

/// <summary>
/// The built-in trainers, by task. Each has a short overload with the settings users reach for and one that
/// takes ML.NET's own options class (its label, feature and seed settings are set by the pipeline).
/// Reproducibility: seeds come from the pipeline; SDCA and L-BFGS run on one thread by default, because
/// their multi-threaded results depend on thread timing.
/// </summary>
public static class Trainers
{
    /// <summary>The names <see cref="ByName"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["lightgbm", "fasttree", "sdca", "lbfgs"];

    /// <summary>Looks a built-in trainer up by name (case-insensitive): <c>lightgbm</c>, <c>fasttree</c>, <c>sdca</c> or <c>lbfgs</c>.</summary>
    /// <param name="task">The task.</param>
    /// <param name="name">The name.</param>
    /// <returns>The trainer with its defaults.</returns>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    public static ITrainer ByName(MlTask task, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return (task, name.ToLowerInvariant()) switch
        {
            (MlTask.BinaryClassification, "lightgbm") => Binary.LightGbm(),
            (MlTask.BinaryClassification, "fasttree") => Binary.FastTree(),
            (MlTask.BinaryClassification, "sdca") => Binary.SdcaLogisticRegression(),
            (MlTask.BinaryClassification, "lbfgs") => Binary.LbfgsLogisticRegression(),
            (MlTask.MulticlassClassification, "lightgbm") => Multiclass.LightGbm(),
            (MlTask.MulticlassClassification, "fasttree") => Multiclass.FastTreeOneVersusAll(),
            (MlTask.MulticlassClassification, "sdca") => Multiclass.SdcaMaximumEntropy(),
            (MlTask.MulticlassClassification, "lbfgs") => Multiclass.LbfgsMaximumEntropy(),
            (MlTask.Regression, "lightgbm") => Regression.LightGbm(),
            (MlTask.Regression, "fasttree") => Regression.FastTree(),
            (MlTask.Regression, "sdca") => Regression.Sdca(),
            (MlTask.Regression, "lbfgs") => Regression.LbfgsPoisson(),
            _ => throw new ArgumentException($"Unknown trainer '{name}' for {task}; use one of: {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    /// <summary>
    /// A shallow copy of ML.NET trainer options, so that setting the label, features and seed for one run never changes the
    /// caller's object or a later run with another seed (the options classes have no public copy method).
    /// </summary>
    internal static T Copy<T>(T options)
        where T : class
        => (T)CloneMethod.Invoke(options, null)!;

    private static readonly System.Reflection.MethodInfo CloneMethod =
        typeof(object).GetMethod("MemberwiseClone", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!;

    /// <summary>
    /// A trainer over a copy of ML.NET's options with the pipeline's label and feature columns, optionally on min-max
    /// scaled features (what linear trainers need).
    /// </summary>
    /// <summary>
    /// A gradient-boosted trainer that, when <paramref name="stopsEarly"/> says its options ask for it, is fitted together with
    /// the validation rows (<see cref="TrainingContext.ValidationData"/>) so that it stops early on them; otherwise as
    /// <see cref="Create{TOptions}"/>. Without validation rows (a cross-validation fold) it trains every round.
    /// </summary>
    private static ITrainer CreateBoosted<TOptions, TTrainer>(string name, MlTask task, TOptions options, Func<TrainingContext, TOptions, TTrainer> create, Func<TTrainer, IDataView, IDataView, ITransformer> fitWithValidation, Func<TOptions, bool> stopsEarly)
        where TOptions : TrainerInputBaseWithLabel
        where TTrainer : IEstimator<ITransformer>
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!stopsEarly(options))
        {
            return Create(name, task, options, (c, o) => create(c, o));
        }

        return new DelegateTrainer(
            name,
            task,
            c =>
            {
                TOptions o = Copy(options);
                o.LabelColumnName = c.LabelColumn;
                o.FeatureColumnName = c.FeatureColumn;
                TTrainer trainer = create(c, o);
                return c.ValidationData is { } validation ? new ValidatedEstimator<TTrainer>(trainer, fitWithValidation, validation) : trainer;
            },
            stopsEarly: true);
    }

    private static ITrainer Create<TOptions>(string name, MlTask task, TOptions options, Func<TrainingContext, TOptions, IEstimator<ITransformer>> create, bool normalize = false)
        where TOptions : TrainerInputBaseWithLabel
    {
        ArgumentNullException.ThrowIfNull(options);
        return new DelegateTrainer(name, task, c =>
        {
            TOptions o = Copy(options);
            o.LabelColumnName = c.LabelColumn;
            o.FeatureColumnName = c.FeatureColumn;
            IEstimator<ITransformer> trainer = create(c, o);
            return normalize ? Normalized(c, trainer) : trainer;
        });
    }

    private static IEstimator<ITransformer> Normalized(TrainingContext c, IEstimator<ITransformer> trainer)
        => c.MLContext.Transforms.NormalizeMinMax(c.FeatureColumn).Append(trainer);

    /// <summary>Binary classification trainers; all give calibrated probabilities.</summary>
    public static class Binary
    {
        /// <summary>LightGBM gradient-boosted trees.</summary>
        /// <param name="numberOfIterations">Boosting rounds.</param>
        /// <param name="numberOfLeaves">Leaves per tree, or <see langword="null"/> for LightGBM's default.</param>
        /// <param name="learningRate">The learning rate, or <see langword="null"/> for LightGBM's default.</param>
        /// <returns>The trainer.</returns>
        /// <param name="earlyStoppingRounds">Stop when the validation metric has not improved for this many rounds, keeping the best round (0: train every round). Needs a validation part.</param>
        public static ITrainer LightGbm(int numberOfIterations = 100, int? numberOfLeaves = null, double? learningRate = null, int earlyStoppingRounds = 0)
            => LightGbm(new LightGbmBinaryTrainer.Options { NumberOfIterations = numberOfIterations, NumberOfLeaves = numberOfLeaves, LearningRate = learningRate, EarlyStoppingRound = earlyStoppingRounds });

        /// <summary>LightGBM with ML.NET's options; with <c>EarlyStoppingRound</c> above 0 it stops early on the validation part (which the pipeline then needs).</summary>
        /// <param name="options">The options.</param>
        /// <returns>The trainer.</returns>
        public static ITrainer LightGbm(LightGbmBinaryTrainer.Options options)
        {
            return CreateBoosted("LightGbm", MlTask.BinaryClassification, options, (c, o) => { o.Seed ??= c.Seed; return c.MLContext.BinaryClassification.Trainers.LightGbm(o); }, (t, train, validation) => t.Fit(train, validation), o => o.EarlyStoppingRound > 0);
        }

        /// <summary>FastTree (MART) gradient-boosted trees.</summary>
        /// <param name="numberOfTrees">The number of trees.</param>
        /// <param name="numberOfLeaves">Leaves per tree.</param>
        /// <returns>The trainer.</returns>
        public static ITrainer FastTree(int numberOfTrees = 100, int numberOfLeaves = 20)
            => FastTree(new FastTreeBinaryTrainer.Options { NumberOfTrees = numberOfTrees, NumberOfLeaves = numberOfLeaves });

        /// <summary>FastTree with ML.NET's options; with an <c>EarlyStoppingRule</c> or <c>EnablePruning</c> it uses the validation part (which the pipeline then needs).</summary>
        /// <param name="options">The options.</param>
        /// <returns>The trainer.</returns>
        public static ITrainer FastTree(FastTreeBinaryTrainer.Options options)
        {
            return CreateBoosted("FastTree", MlTask.BinaryClassification, options, (c, o) => { o.Seed = c.Seed; return c.MLContext.BinaryClassification.Trainers.FastTree(o); }, (t, train, validation) => t.Fit(train, validation), o => o.EarlyStoppingRule is not null || o.EnablePruning);
        }

        /// <summary>Logistic regression by stochastic dual coordinate ascent, on min-max scaled features.</summary>
        /// <param name="l2Regularization">The L2 weight, or <see langword="null"/> for ML.NET's automatic choice.</param>
        /// <returns>The trainer.</returns>
        public static ITrainer SdcaLogisticRegression(float? l2Regularization = null)
            => SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options { L2Regularization = l2Regularization, NumberOfThreads = 1 });

        /// <summary>SDCA logistic regression with ML.NET's options (features are min-max scaled first).</summary>
        /// <param name="options">The options.</param>
        /// <returns>The trainer.</returns>
        public static ITrainer SdcaLogisticRegression(SdcaLogisticRegressionBinaryTrainer.Options options)
        {
            return Create("SdcaLogisticRegression", MlTask.BinaryClassification, options, (c, o) => c.MLContext.BinaryClassification.Trainers.SdcaLogisticRegression(o), normalize: true);
        }

        /// <summary>Logistic regression by L-BFGS, on min-max scaled features.</summary>
        /// <param name="l2Regularization">The L2 weight.</param>
        /// <returns>The trainer.</returns>
        public static ITrainer LbfgsLogisticRegression(float l2Regularization = 1f)
            => LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options { L2Regularization = l2Regularization, NumberOfThreads = 1 });

        /// <summary>L-BFGS logistic regression with ML.NET's options (features are min-max scaled first).</summary>
        /// <param name="options">The options.</param>
        /// <returns>The trainer.</returns>
        public static ITrainer LbfgsLogisticRegression(LbfgsLogisticRegressionBinaryTrainer.Options options)
        {
            return Create("LbfgsLogisticRegression", MlTask.BinaryClassification, options, (c, o) => c.MLContext.BinaryClassification.Trainers.LbfgsLogisticRegression(o), normalize: true);
        }
    }

    /// <summary>Multiclass classification trainers; predictions are mapped back to the original class values.</summary>
    public static class Multiclass
    {
        /// <summary>LightGBM gradient-boosted trees.</summary>
        /// <param name="numberOfIterations">Boosting rounds.</param>
        /// <param name="numberOfLeaves">Leaves per tree, or <see langword="null"/> for LightGBM's default.</param>
        /// <param name="learningRate">The learning rate, or <see langword="null"/> for LightGBM's default.</param>
        /// <returns>The trainer.</returns>
        /// <param name="earlyStoppingRounds">Stop when the validation metric has not improved for this many rounds, keeping the best round (0: train every round). Needs a validation part.</param>
        public static ITrainer LightGbm(int numberOfIterations = 100, int? numberOfLeaves = null, double? learningRate = null, int earlyStoppingRounds = 0)
            => LightGbm(new LightGbmMulticlassTrainer.Options { NumberOfIterations = numberOfIterations, NumberOfLeaves = numberOfLeaves, LearningRate = learningRate, EarlyStoppingRound = earlyStoppingRounds });

        /// <summary>LightGBM with ML.NET's options; with <c>EarlyStoppingRound</c> above 0 it stops early on the validation part (which the pipeline then needs).</summary>
        /// <param name="options">The options.</param>
        /// <returns>The trainer.</returns>
        public static ITrainer LightGbm(LightGbmMulticlassTrainer.Options options)
        {
            return CreateBoosted("LightGbm", MlTask.MulticlassClassification, options, (c, o) => { o.Seed ??= c.Seed; return c.MLContext.MulticlassClassification.Trainers.LightGbm(o); }, (t, train, validation) => t.Fit(train, validation), o => o.EarlyStoppingRound > 0);
        }

        /// <summary>Maximum entropy (multinomial logistic regression) by SDCA, on min-max scaled features.</summary>
        /// <returns>The trainer.</returns>
        public static ITrainer SdcaMaximumEntropy()
            => SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options { NumberOfThreads = 1 });

        /// <summary>SDCA maximum entropy with ML.NET's options (features are min-max scaled first).</summary>
        /// <param name="options">The options.</param>
        /// <returns>The trainer.</returns>
        public static ITrainer SdcaMaximumEntropy(SdcaMaximumEntropyMulticlassTrainer.Options options)
        {
            return Create("SdcaMaximumEntropy", MlTask.MulticlassClassification, options, (c, o) => c.MLContext.MulticlassClassification.Trainers.SdcaMaximumEntropy(o), normalize: true);
        }

        /// <summary>Maximum entropy by L-BFGS, on min-max scaled features.</summary>
        /// <returns>The trainer.</returns>
        public static ITrainer LbfgsMaximumEntropy()
            => LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options { NumberOfThreads = 1 });

        /// <summary>L-BFGS maximum entropy with ML.NET's options (features are min-max scaled first).</summary>
        /// <param name="options">The options.</param>
        /// <returns>The trainer.</returns>
        public static ITrainer LbfgsMaximumEntropy(LbfgsMaximumEntropyMulticlassTrainer.Options options)
        {
            return Create("LbfgsMaximumEntropy", MlTask.MulticlassClassification, options, (c, o) => c.MLContext.MulticlassClassification.Trainers.LbfgsMaximumEntropy(o), normalize: true);
        }

        /// <summary>One-versus-all over calibrated FastTree binary models (ML.NET has no multiclass FastTree).</summary>
        /// <param name="numberOfTrees">Trees per class.</param>
        /// <param name="numberOfLeaves">Leaves per tree.</param>
        /// <returns>The trainer.</returns>
        public static ITrainer FastTreeOneVersusAll(int numberOfTrees = 100, int numberOfLeaves = 20)
            => new DelegateTrainer("FastTreeOneVersusAll", MlTask.MulticlassClassification, c =>
                c.MLContext.MulticlassClassification.Trainers.OneVersusAll(
                    c.MLContext.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
                    {
                        LabelColumnName = c.LabelColumn,
                        FeatureColumnName = c.FeatureColumn,
                        NumberOfTrees = numberOfTrees,
                        NumberOfLeaves = numberOfLeaves,
                        Seed = c.Seed,
                    }),
                    labelColumnName: c.LabelColumn));
    }

    /// <summary>Regression trainers.</summary>
    public static class Regression
    {
        /// <summary>LightGBM gradient-boosted trees.</summary>
        /// <param name="numberOfIterations">Boosting rounds.</param>
        /// <param name="numberOfLeaves">Leaves per tree, or <see langword="null"/> for LightGBM's default.</param>
        /// <param name="learningRate">The learning rate, or <see langword="null"/> for LightGBM's default.</param>
        /// <returns>The trainer.</returns>
        /// <param name="earlyStoppingRounds">Stop when the validation metric has not improved for this many rounds, keeping the best round (0: train every round). Needs a validation part.</param>
        public static ITrainer LightGbm(int numberOfIterations = 100, int? numberOfLeaves = null, double? learningRate = null, int earlyStoppingRounds = 0)
            => LightGbm(new LightGbmRegressionTrainer.Options { NumberOfIterations = numberOfIterations, NumberOfLeaves = numberOfLeaves, LearningRate = learningRate, EarlyStoppingRound = earlyStoppingRounds });

        /// <summary>LightGBM with ML.NET's options; with <c>EarlyStoppingRound</c> above 0 it stops early on the validation part (which the pipeline then needs).</summary>
        /// <param name="options">The options.</param>
        /// <returns>The trainer.</returns>
        public static ITrainer LightGbm(LightGbmRegressionTrainer.Options options)
        {
            return CreateBoosted("LightGbm", MlTask.Regression, options, (c, o) => { o.Seed ??= c.Seed; return c.MLContext.Regression.Trainers.LightGbm(o); }, (t, train, validation) => t.Fit(train, validation), o => o.EarlyStoppingRound > 0);
        }

        /// <summary>FastTree (MART) gradient-boosted trees.</summary>
        /// <param name="numberOfTrees">The number of trees.</param>
        /// <param name="numberOfLeaves">Leaves per tree.</param>
        /// <returns>The trainer.</returns>
        public static ITrainer FastTree(int numberOfTrees = 100, int numberOfLeaves = 20)
            => FastTree(new FastTreeRegressionTrainer.Options { NumberOfTrees = numberOfTrees, NumberOfLeaves = numberOfLeaves });

        /// <summary>FastTree with ML.NET's options; with an <c>EarlyStoppingRule</c> or <c>EnablePruning</c> it uses the validation part (which the pipeline then needs).</summary>
        /// <param name="options">The options.</param>
        /// <returns>The trainer.</returns>
        public static ITrainer FastTree(FastTreeRegressionTrainer.Options options)
        {
            return CreateBoosted("FastTree", MlTask.Regression, options, (c, o) => { o.Seed = c.Seed; return c.MLContext.Regression.Trainers.FastTree(o); }, (t, train, validation) => t.Fit(train, validation), o => o.EarlyStoppingRule is not null || o.EnablePruning);
        }

        /// <summary>Linear regression by SDCA, on min-max scaled features.</summary>
        /// <returns>The trainer.</returns>
        public static ITrainer Sdca()
            => Sdca(new SdcaRegressionTrainer.Options { NumberOfThreads = 1 });

        /// <summary>SDCA regression with ML.NET's options (features are min-max scaled first).</summary>
        /// <param name="options">The options.</param>
        /// <returns>The trainer.</returns>
        public static ITrainer Sdca(SdcaRegressionTrainer.Options options)
        {
            return Create("Sdca", MlTask.Regression, options, (c, o) => c.MLContext.Regression.Trainers.Sdca(o), normalize: true);
        }

        /// <summary>Poisson regression by L-BFGS (for counts), on min-max scaled features.</summary>
        /// <returns>The trainer.</returns>
        public static ITrainer LbfgsPoisson()
            => new DelegateTrainer("LbfgsPoisson", MlTask.Regression, c =>
                Normalized(c, c.MLContext.Regression.Trainers.LbfgsPoissonRegression(new LbfgsPoissonRegressionTrainer.Options
                {
                    LabelColumnName = c.LabelColumn,
                    FeatureColumnName = c.FeatureColumn,
                    NumberOfThreads = 1,
                })));
    }
}

/// <summary>An estimator fitted together with validation rows (for early stopping), which <see cref="IEstimator{TTransformer}.Fit"/> alone cannot pass.</summary>
internal sealed class ValidatedEstimator<TTrainer>(TTrainer trainer, Func<TTrainer, IDataView, IDataView, ITransformer> fit, Func<IDataView> validation) : IEstimator<ITransformer>
    where TTrainer : IEstimator<ITransformer>
{
    /// <inheritdoc />
    public ITransformer Fit(IDataView input) => fit(trainer, input, validation());

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => trainer.GetOutputSchema(inputSchema);
}
