using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace MlToolkit.Training.Search;

/// <summary>
/// Default search spaces for the built-in trainers, on the ranges that usually matter: tree counts, leaves, learning rate and
/// leaf size for boosted trees (log scales), L1 and L2 regularization for linear models (log scales). Add or replace
/// dimensions on the returned space to narrow or widen it.
/// </summary>
public static class SearchSpaces
{
    /// <summary>Binary classification.</summary>
    public static class Binary
    {
        /// <summary>LightGBM: leaves 4–128, learning rate 0.01–0.3, 50–400 iterations, 2–100 rows per leaf.</summary>
        /// <returns>The space.</returns>
        /// <param name="earlyStoppingRounds">Each trial stops when its held-out metric has not improved for this many rounds (0: every round); the pipeline then needs a validation part.</param>
        public static SearchSpace<LightGbmBinaryTrainer.Options> LightGbm(int earlyStoppingRounds = 0)
            => new SearchSpace<LightGbmBinaryTrainer.Options>("LightGbm", MlTask.BinaryClassification, () => new() { EarlyStoppingRound = earlyStoppingRounds }, Trainers.Binary.LightGbm)
                .Int(o => o.NumberOfLeaves, 4, 128, log: true)
                .Double(o => o.LearningRate, 0.01, 0.3, log: true)
                .Int(o => o.NumberOfIterations, 50, 400, log: true)
                .Int(o => o.MinimumExampleCountPerLeaf, 2, 100, log: true);

        /// <summary>FastTree: leaves 4–128, learning rate 0.02–0.3, 50–400 trees, 2–100 rows per leaf.</summary>
        /// <returns>The space.</returns>
        public static SearchSpace<FastTreeBinaryTrainer.Options> FastTree()
            => new SearchSpace<FastTreeBinaryTrainer.Options>("FastTree", MlTask.BinaryClassification, () => new(), Trainers.Binary.FastTree)
                .Int(o => o.NumberOfLeaves, 4, 128, log: true)
                .Double(o => o.LearningRate, 0.02, 0.3, log: true)
                .Int(o => o.NumberOfTrees, 50, 400, log: true)
                .Int(o => o.MinimumExampleCountPerLeaf, 2, 100, log: true);

        /// <summary>SDCA logistic regression (one thread): L2 1e-6–1, L1 1e-6–1.</summary>
        /// <returns>The space.</returns>
        public static SearchSpace<SdcaLogisticRegressionBinaryTrainer.Options> SdcaLogisticRegression()
            => new SearchSpace<SdcaLogisticRegressionBinaryTrainer.Options>("SdcaLogisticRegression", MlTask.BinaryClassification, () => new() { NumberOfThreads = 1 }, Trainers.Binary.SdcaLogisticRegression)
                .Double(o => o.L2Regularization, 1e-6, 1, log: true)
                .Double(o => o.L1Regularization, 1e-6, 1, log: true);

        /// <summary>L-BFGS logistic regression (one thread): L2 1e-4–1, L1 1e-4–1.</summary>
        /// <returns>The space.</returns>
        public static SearchSpace<LbfgsLogisticRegressionBinaryTrainer.Options> LbfgsLogisticRegression()
            => new SearchSpace<LbfgsLogisticRegressionBinaryTrainer.Options>("LbfgsLogisticRegression", MlTask.BinaryClassification, () => new() { NumberOfThreads = 1 }, Trainers.Binary.LbfgsLogisticRegression)
                .Double(o => o.L2Regularization, 1e-4, 1, log: true)
                .Double(o => o.L1Regularization, 1e-4, 1, log: true);
    }

    /// <summary>Multiclass classification.</summary>
    public static class Multiclass
    {
        /// <summary>LightGBM: leaves 4–128, learning rate 0.01–0.3, 50–400 iterations, 2–100 rows per leaf.</summary>
        /// <returns>The space.</returns>
        /// <param name="earlyStoppingRounds">Each trial stops when its held-out metric has not improved for this many rounds (0: every round); the pipeline then needs a validation part.</param>
        public static SearchSpace<LightGbmMulticlassTrainer.Options> LightGbm(int earlyStoppingRounds = 0)
            => new SearchSpace<LightGbmMulticlassTrainer.Options>("LightGbm", MlTask.MulticlassClassification, () => new() { EarlyStoppingRound = earlyStoppingRounds }, Trainers.Multiclass.LightGbm)
                .Int(o => o.NumberOfLeaves, 4, 128, log: true)
                .Double(o => o.LearningRate, 0.01, 0.3, log: true)
                .Int(o => o.NumberOfIterations, 50, 400, log: true)
                .Int(o => o.MinimumExampleCountPerLeaf, 2, 100, log: true);

        /// <summary>SDCA maximum entropy (one thread): L2 1e-6–1, L1 1e-6–1.</summary>
        /// <returns>The space.</returns>
        public static SearchSpace<SdcaMaximumEntropyMulticlassTrainer.Options> SdcaMaximumEntropy()
            => new SearchSpace<SdcaMaximumEntropyMulticlassTrainer.Options>("SdcaMaximumEntropy", MlTask.MulticlassClassification, () => new() { NumberOfThreads = 1 }, Trainers.Multiclass.SdcaMaximumEntropy)
                .Double(o => o.L2Regularization, 1e-6, 1, log: true)
                .Double(o => o.L1Regularization, 1e-6, 1, log: true);

        /// <summary>L-BFGS maximum entropy (one thread): L2 1e-4–1, L1 1e-4–1.</summary>
        /// <returns>The space.</returns>
        public static SearchSpace<LbfgsMaximumEntropyMulticlassTrainer.Options> LbfgsMaximumEntropy()
            => new SearchSpace<LbfgsMaximumEntropyMulticlassTrainer.Options>("LbfgsMaximumEntropy", MlTask.MulticlassClassification, () => new() { NumberOfThreads = 1 }, Trainers.Multiclass.LbfgsMaximumEntropy)
                .Double(o => o.L2Regularization, 1e-4, 1, log: true)
                .Double(o => o.L1Regularization, 1e-4, 1, log: true);
    }

    /// <summary>Regression.</summary>
    public static class Regression
    {
        /// <summary>LightGBM: leaves 4–128, learning rate 0.01–0.3, 50–400 iterations, 2–100 rows per leaf.</summary>
        /// <returns>The space.</returns>
        /// <param name="earlyStoppingRounds">Each trial stops when its held-out metric has not improved for this many rounds (0: every round); the pipeline then needs a validation part.</param>
        public static SearchSpace<LightGbmRegressionTrainer.Options> LightGbm(int earlyStoppingRounds = 0)
            => new SearchSpace<LightGbmRegressionTrainer.Options>("LightGbm", MlTask.Regression, () => new() { EarlyStoppingRound = earlyStoppingRounds }, Trainers.Regression.LightGbm)
                .Int(o => o.NumberOfLeaves, 4, 128, log: true)
                .Double(o => o.LearningRate, 0.01, 0.3, log: true)
                .Int(o => o.NumberOfIterations, 50, 400, log: true)
                .Int(o => o.MinimumExampleCountPerLeaf, 2, 100, log: true);

        /// <summary>FastTree: leaves 4–128, learning rate 0.02–0.3, 50–400 trees, 2–100 rows per leaf.</summary>
        /// <returns>The space.</returns>
        public static SearchSpace<FastTreeRegressionTrainer.Options> FastTree()
            => new SearchSpace<FastTreeRegressionTrainer.Options>("FastTree", MlTask.Regression, () => new(), Trainers.Regression.FastTree)
                .Int(o => o.NumberOfLeaves, 4, 128, log: true)
                .Double(o => o.LearningRate, 0.02, 0.3, log: true)
                .Int(o => o.NumberOfTrees, 50, 400, log: true)
                .Int(o => o.MinimumExampleCountPerLeaf, 2, 100, log: true);

        /// <summary>SDCA regression (one thread): L2 1e-6–1, L1 1e-6–1.</summary>
        /// <returns>The space.</returns>
        public static SearchSpace<SdcaRegressionTrainer.Options> Sdca()
            => new SearchSpace<SdcaRegressionTrainer.Options>("Sdca", MlTask.Regression, () => new() { NumberOfThreads = 1 }, Trainers.Regression.Sdca)
                .Double(o => o.L2Regularization, 1e-6, 1, log: true)
                .Double(o => o.L1Regularization, 1e-6, 1, log: true);
    }

    /// <summary>The default spaces of a task's built-in trainers, for trying them all in one search.</summary>
    /// <param name="task">The task.</param>
    /// <returns>The spaces.</returns>
    public static IReadOnlyList<ISearchSpace> All(MlTask task) => task switch
    {
        MlTask.BinaryClassification => [Binary.LightGbm(), Binary.FastTree(), Binary.SdcaLogisticRegression(), Binary.LbfgsLogisticRegression()],
        MlTask.MulticlassClassification => [Multiclass.LightGbm(), Multiclass.SdcaMaximumEntropy(), Multiclass.LbfgsMaximumEntropy()],
        _ => [Regression.LightGbm(), Regression.FastTree(), Regression.Sdca()],
    };
}
