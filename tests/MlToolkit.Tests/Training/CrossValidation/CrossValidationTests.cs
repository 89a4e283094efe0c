using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using MlToolkit.Data;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Preparation;
using MlToolkit.Preparation.Split;
using MlToolkit.Training;
using MlToolkit.Training.CrossValidation;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Training.CrossValidation;

public class CrossValidationTests
{
    /// <summary>
    /// <see cref="TestData.BinaryCsv"/> with a first column <c>id</c> (the data row number) and a column <c>customer</c> that
    /// puts every 1 to 6 consecutive rows into one group.
    /// </summary>
    private static string BinaryWithIds(int rows, int seed = 1)
    {
        string[] lines = TestData.BinaryCsv(rows, seed).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var random = new Random(seed);
        var csv = new StringBuilder("id,customer," + lines[0] + "\n");
        int customer = 0, left = 0;
        for (int i = 1; i < lines.Length; i++)
        {
            if (left-- == 0)
            {
                customer++;
                left = random.Next(0, 6);
            }

            csv.Append(CultureInfo.InvariantCulture, $"{i - 1},c{customer},{lines[i]}\n");
        }

        return csv.ToString();
    }

    private static PipelineBuilder Binary(string path, ConcurrentQueue<HashSet<int>> fits, int seed = 42)
        => new PipelineBuilder(seed)
            .FromCsv(path)
            .Label("label")
            .Ignore("customer")
            .Prepare(new RecordingPreprocessor(fits))
            .Prepare(p => p.ImputeMissing().OneHotEncode("color"))
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 30, numberOfLeaves: 8));

    /// <summary>The rows each fold was evaluated on, as the complement of what its preparation was fitted on.</summary>
    private static List<HashSet<int>> HeldOut(IEnumerable<HashSet<int>> fits, int rows)
        => fits.Select(f => Enumerable.Range(0, rows).Where(r => !f.Contains(r)).ToHashSet()).ToList();

    [Fact]
    public async Task CrossValidateAsync_EachFoldFitsPreparationOnTheOtherFoldsOnly()
    {
        using TempFolder folder = TestData.TempFolder();
        var fits = new ConcurrentQueue<HashSet<int>>();
        TrainingPipeline pipeline = Binary(folder.Write("data.csv", BinaryWithIds(500)), fits).CrossValidate(5).Build();

        CrossValidationResult result = await pipeline.CrossValidateAsync(cancellationToken: Ct);

        Assert.Equal(5, fits.Count);
        List<HashSet<int>> heldOut = HeldOut(fits, 500);
        // The held-out parts partition the rows: every row is tested exactly once, by a fold that never trained on it.
        Assert.Equal(Enumerable.Range(0, 500), heldOut.SelectMany(h => h).Order());
        Assert.Equal(result.Folds.Select(f => f.TestRows).Order(), heldOut.Select(h => h.Count).Order());
        Assert.All(result.Folds, f => Assert.Equal(500, f.TrainRows + f.TestRows));
        Assert.Equal([1, 2, 3, 4, 5], result.Folds.Select(f => f.Fold));
        Assert.Equal(SplitStrategy.Stratified, result.Strategy);
    }

    [Fact]
    public async Task CrossValidateAsync_Summary_IsMeanSampleDeviationAndStudentInterval()
    {
        using TempFolder folder = TestData.TempFolder();
        TrainingPipeline pipeline = Binary(folder.Write("data.csv", BinaryWithIds(600)), new()).CrossValidate(4).Build();

        CrossValidationResult result = await pipeline.CrossValidateAsync(cancellationToken: Ct);

        double[] auc = result.Folds.Select(f => f.Metrics[Metric.Auc]).ToArray();
        double mean = auc.Average();
        double sd = Math.Sqrt(auc.Sum(v => (v - mean) * (v - mean)) / 3);
        MetricSummary summary = result[Metric.Auc];
        Assert.Equal(mean, summary.Mean, 12);
        Assert.Equal(sd, summary.StandardDeviation, 12);
        Assert.Equal(mean - (3.182446 * sd / 2), summary.Lower, 6);
        Assert.Equal(mean + (3.182446 * sd / 2), summary.Upper, 6);
        Assert.Equal(auc, summary.Values);
        Assert.InRange(mean, 0.75, 1.0); // the data has a real signal
        Assert.Contains(Metric.LogLoss, result.Summary.Keys);
        Assert.Equal(Metric.Auc, result.Metric);
    }

    [Fact]
    public async Task RunAsync_WithCrossValidate_FoldsCoverTheTrainingPartOnlyAndTheModelIsUnchanged()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", BinaryWithIds(500));
        var plainFits = new ConcurrentQueue<HashSet<int>>();
        var cvFits = new ConcurrentQueue<HashSet<int>>();

        PipelineResult plain = await Binary(path, plainFits).Build().RunAsync(cancellationToken: Ct);
        PipelineResult withCv = await Binary(path, cvFits).CrossValidate(3).Build().RunAsync(cancellationToken: Ct);

        Assert.Null(plain.CrossValidation);
        Assert.NotNull(withCv.CrossValidation);
        Assert.Equal(plain.Metrics.Metrics, withCv.Metrics.Metrics); // each fold has its own MLContext: the final model is the same
        HashSet<int> finalTraining = cvFits.Last();
        Assert.Equal(plainFits.Single(), finalTraining);
        List<HashSet<int>> heldOut = HeldOut(cvFits.Take(3), 500);
        // The folds deal out exactly the training part: the test rows were never part of cross-validation.
        Assert.Equal(finalTraining.Order(), heldOut.SelectMany(h => h.Where(finalTraining.Contains)).Order());
        Assert.All(cvFits.Take(3), f => Assert.Subset(finalTraining, f));
        Assert.Equal(withCv.TrainRows, withCv.CrossValidation.Folds.Sum(f => f.TestRows));
        Assert.Contains(withCv.Timings, t => t.Stage == PipelineStage.CrossValidation);
    }

    [Fact]
    public async Task CrossValidateAsync_ParallelFolds_GiveTheSameMetricsAsSequential()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", BinaryWithIds(400));

        CrossValidationResult sequential = await Binary(path, new()).CrossValidate(new CrossValidationOptions { Folds = 4 }).Build().CrossValidateAsync(cancellationToken: Ct);
        CrossValidationResult parallel = await Binary(path, new()).CrossValidate(new CrossValidationOptions { Folds = 4, MaxDegreeOfParallelism = 4 }).Build().CrossValidateAsync(cancellationToken: Ct);

        Assert.Equal(sequential.Folds.Select(f => f.Metrics.Metrics), parallel.Folds.Select(f => f.Metrics.Metrics));
        Assert.Equal(sequential.Folds.Select(f => f.TestRows), parallel.Folds.Select(f => f.TestRows));
    }

    [Fact]
    public async Task CrossValidateAsync_SameSeed_SameFoldsAndOtherSeed_OtherFolds()
    {
        using TempFolder folder = TestData.TempFolder();
        string path = folder.Write("data.csv", BinaryWithIds(400));
        var first = new ConcurrentQueue<HashSet<int>>();
        var again = new ConcurrentQueue<HashSet<int>>();
        var other = new ConcurrentQueue<HashSet<int>>();

        CrossValidationResult a = await Binary(path, first, seed: 7).CrossValidate(4).Build().CrossValidateAsync(cancellationToken: Ct);
        CrossValidationResult b = await Binary(path, again, seed: 7).CrossValidate(4).Build().CrossValidateAsync(cancellationToken: Ct);
        await Binary(path, other, seed: 8).CrossValidate(4).Build().CrossValidateAsync(cancellationToken: Ct);

        Assert.Equal(a.Folds.Select(f => f.Metrics.Metrics), b.Folds.Select(f => f.Metrics.Metrics));
        Assert.Equal(first, again);
        Assert.NotEqual(first.Select(f => f.Order().ToArray()), other.Select(f => f.Order().ToArray()));
    }

    [Fact]
    public async Task CrossValidateAsync_GroupedSplit_NoGroupIsInBothTheTrainingAndTheTestRowsOfAFold()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = BinaryWithIds(500);
        string[] customerOf = Cells(csv, "customer").ToArray();
        var fits = new ConcurrentQueue<HashSet<int>>();
        TrainingPipeline pipeline = new PipelineBuilder(42)
            .FromCsv(folder.Write("data.csv", csv))
            .Label("label")
            .Split(strategy: SplitStrategy.Grouped, groupColumn: "customer")
            .Prepare(new RecordingPreprocessor(fits))
            .Prepare(p => p.ImputeMissing().OneHotEncode("color"))
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 20))
            .CrossValidate(5)
            .Build();

        CrossValidationResult result = await pipeline.CrossValidateAsync(cancellationToken: Ct);

        Assert.Equal(SplitStrategy.Grouped, result.Strategy);
        Assert.Contains(pipeline.Describe(), s => s.Stage == PipelineStage.CrossValidation && s.Details.Contains("group 'customer'", StringComparison.Ordinal));
        foreach (HashSet<int> fit in fits)
        {
            var trainedGroups = fit.Select(r => customerOf[r]).ToHashSet();
            var testedGroups = Enumerable.Range(0, 500).Where(r => !fit.Contains(r)).Select(r => customerOf[r]).ToHashSet();
            Assert.NotEmpty(testedGroups);
            Assert.Empty(trainedGroups.Intersect(testedGroups));
        }
    }

    [Fact]
    public async Task CrossValidateAsync_Regression_RandomFoldsAndR2Summary()
    {
        using TempFolder folder = TestData.TempFolder();
        TrainingPipeline pipeline = new PipelineBuilder(42)
            .FromCsv(folder.Write("data.csv", TestData.RegressionCsv(600)))
            .Label("y")
            .Train(Trainers.Regression.LightGbm())
            .CrossValidate(3)
            .Build();

        CrossValidationResult result = await pipeline.CrossValidateAsync(cancellationToken: Ct);

        Assert.Equal(SplitStrategy.Random, result.Strategy);
        Assert.Equal(Metric.R2, result.Metric);
        Assert.InRange(result[Metric.R2].Mean, 0.9, 1.0); // y is linear in the features plus small noise
        Assert.True(result[Metric.Rmse].Lower < result[Metric.Rmse].Mean && result[Metric.Rmse].Mean < result[Metric.Rmse].Upper);
        Assert.Equal(600, result.Folds.Sum(f => f.TestRows));
    }

    [Fact]
    public async Task CrossValidateAsync_Multiclass_StratifiedWithMacroF1()
    {
        using TempFolder folder = TestData.TempFolder();
        TrainingPipeline pipeline = new PipelineBuilder(42)
            .FromCsv(folder.Write("data.csv", TestData.MulticlassCsv(600)))
            .Label("species")
            .Train(Trainers.Multiclass.LightGbm())
            .CrossValidate(3)
            .Build();

        CrossValidationResult result = await pipeline.CrossValidateAsync(cancellationToken: Ct);

        Assert.Equal(SplitStrategy.Stratified, result.Strategy);
        Assert.Equal(Metric.MacroF1, result.Metric);
        Assert.InRange(result[Metric.MacroF1].Mean, 0.6, 1.0);
        Assert.All(result.Folds, f => Assert.Equal(["setosa", "versicolor", "virginica"], f.Metrics.Multiclass!.Classes));
    }

    [Theory]
    [InlineData(0.0, true)]
    [InlineData(1.0, false)]
    public async Task CrossValidateAsync_FoldSpreadAgainstTheLimit_FlaggedAndWarnedOnlyAbove(double maxStandardDeviation, bool unstable)
    {
        using TempFolder folder = TestData.TempFolder();
        var logs = new CollectingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        TrainingPipeline pipeline = Binary(folder.Write("data.csv", BinaryWithIds(300)), new())
            .CrossValidate(new CrossValidationOptions { Folds = 3, MaxStandardDeviation = maxStandardDeviation })
            .WithLogging(factory)
            .Build();

        CrossValidationResult result = await pipeline.CrossValidateAsync(cancellationToken: Ct);

        Assert.Equal(unstable, result.Unstable);
        Assert.True(result[Metric.Auc].StandardDeviation is > 0 and < 1);
        Assert.Equal(3, logs.Events.Count(e => e.Id == 1012));
        Assert.Single(logs.Events, e => e.Id == 1013);
        Assert.Equal(unstable ? 1 : 0, logs.Events.Count(e => e.Id == 1014 && e.Message.Contains("standard deviation of auc", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task CrossValidateAsync_MoreFoldsThanRows_ThrowsDataValidationNamingTheStage()
    {
        using TempFolder folder = TestData.TempFolder();
        TrainingPipeline pipeline = Binary(folder.Write("data.csv", BinaryWithIds(12)), new()).CrossValidate(20).Build();

        var ex = await Assert.ThrowsAsync<DataValidationException>(() => pipeline.CrossValidateAsync(cancellationToken: Ct));

        Assert.Equal(PipelineStage.CrossValidation, ex.Stage);
        Assert.Contains("12 rows cannot make 20 folds", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CrossValidate_InvalidOptions_ThrowsListingEveryProblem()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PipelineBuilder().CrossValidate(new CrossValidationOptions { Folds = 1, MaxDegreeOfParallelism = 0, MaxStandardDeviation = double.NaN }));

        Assert.Contains("Folds is 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxDegreeOfParallelism is 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxStandardDeviation is NaN", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_GroupedFoldsWithoutASplitGroupColumn_ThrowsPipelineValidation()
    {
        using TempFolder folder = TestData.TempFolder();
        PipelineBuilder builder = Binary(folder.Write("data.csv", BinaryWithIds(50)), new()).CrossValidate(3, SplitStrategy.Grouped);

        var ex = Assert.Throws<PipelineValidationException>(() => builder.Build());

        Assert.Contains(ex.Problems, p => p.Contains("groups by the split's group column", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CrossValidateAsync_CancelledAfterTheFirstFold_ThrowsAndFitsNoMoreFolds()
    {
        using TempFolder folder = TestData.TempFolder();
        var fits = new ConcurrentQueue<HashSet<int>>();
        TrainingPipeline pipeline = Binary(folder.Write("data.csv", BinaryWithIds(300)), fits).CrossValidate(5).Build();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var progress = new SyncProgress<PipelineProgress>(p =>
        {
            if (p.Stage == PipelineStage.CrossValidation && p.Step == 1)
            {
                cts.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.CrossValidateAsync(progress, cts.Token));

        Assert.Single(fits);
    }

    [Fact]
    public async Task CrossValidateAsync_Progress_ReportsEveryFoldAndEndsAtOne()
    {
        using TempFolder folder = TestData.TempFolder();
        var reports = new ConcurrentQueue<PipelineProgress>();
        TrainingPipeline pipeline = Binary(folder.Write("data.csv", BinaryWithIds(300)), new()).CrossValidate(3).Build();

        await pipeline.CrossValidateAsync(new SyncProgress<PipelineProgress>(reports.Enqueue), Ct);

        PipelineProgress[] folds = [.. reports.Where(r => r.StepCount > 0)];
        Assert.Equal([1, 2, 3], folds.Select(r => r.Step));
        Assert.All(folds, r => Assert.Equal(PipelineStage.CrossValidation, r.Stage));
        double[] fractions = [.. reports.Select(r => r.Fraction)];
        Assert.Equal(fractions.Order(), fractions);
        Assert.Equal(1.0, fractions[^1]);
        Assert.Equal(3, reports.Last().StageCount); // extraction, data quality, cross-validation
    }

    [Fact]
    public async Task CrossValidateAsync_AgreesWithMlNetCrossValidate_WithinNoise()
    {
        var random = new Random(5);
        Row[] rows = Enumerable.Range(0, 3000).Select(_ =>
        {
            float a = (float)random.NextDouble(), b = (float)random.NextDouble(), c = (float)random.NextDouble();
            double logit = (4 * a) - (3 * b) + (c * c * 2) - 1.2;
            return new Row { A = a, B = b, C = c, Label = random.NextDouble() < 1 / (1 + Math.Exp(-logit)) };
        }).ToArray();
        var ml = new MLContext(42);
        IEstimator<ITransformer> chain = ml.Transforms.Concatenate("Features", "A", "B", "C")
            .Append(ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options { NumberOfIterations = 100, Seed = 42 }));
        var raw = ml.BinaryClassification.CrossValidate(ml.Data.Cache(ml.Data.LoadFromEnumerable(rows)), chain, numberOfFolds: 5, labelColumnName: "Label", seed: 42);

        CrossValidationResult ours = await new PipelineBuilder(42)
            .FromEnumerable(rows)
            .Label("Label")
            .Prepare(p => p.Select("A", "B", "C"))
            .Train(Trainers.Binary.LightGbm())
            .CrossValidate(5)
            .Build()
            .CrossValidateAsync(cancellationToken: Ct);

        double rawMean = raw.Average(r => r.Metrics.AreaUnderRocCurve);
        double rawSd = Math.Sqrt(raw.Sum(r => Math.Pow(r.Metrics.AreaUnderRocCurve - rawMean, 2)) / 4);
        // Other folds (ML.NET's are neither stratified nor ours), so the means differ by fold noise: well inside two standard errors.
        double tolerance = 2 * Math.Max(rawSd, ours[Metric.Auc].StandardDeviation) / Math.Sqrt(5) * Math.Sqrt(2);
        Assert.InRange(ours[Metric.Auc].Mean, rawMean - tolerance, rawMean + tolerance);
        Assert.Equal(raw.Sum(r => r.Metrics.ConfusionMatrix.Counts.Sum(c => c.Sum())), ours.Folds.Sum(f => f.TestRows));
    }

    public sealed class Row
    {
        public float A { get; set; }

        public float B { get; set; }

        public float C { get; set; }

        public bool Label { get; set; }
    }

    /// <summary>A preparation step that records the <c>id</c> of every row it is fitted on, and changes nothing.</summary>
    private sealed class RecordingPreprocessor(ConcurrentQueue<HashSet<int>> fits) : IPreprocessor
    {
        public string Name => "Recording(id)";

        public IEstimator<ITransformer> CreateEstimator(PreparationContext context) => new Estimator(fits);

        private sealed class Estimator(ConcurrentQueue<HashSet<int>> fits) : IEstimator<ITransformer>
        {
            public ITransformer Fit(IDataView input)
            {
                fits.Enqueue(input.GetColumn<float>("id").Select(v => (int)v).ToHashSet());
                return new TransformerChain<ITransformer>();
            }

            public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inputSchema;
        }
    }
}

public class MetricSummaryTests
{
    [Fact]
    public void Of_HandValues_MeanSampleDeviationAndStudentInterval()
    {
        MetricSummary s = MetricSummary.Of([0.8, 0.9, 0.85, 0.75, 0.95]);

        Assert.Equal(0.85, s.Mean, 12);
        Assert.Equal(Math.Sqrt(0.025 / 4), s.StandardDeviation, 12);
        double half = 2.776445 * Math.Sqrt(0.025 / 4) / Math.Sqrt(5);
        Assert.Equal(0.85 - half, s.Lower, 6);
        Assert.Equal(0.85 + half, s.Upper, 6);
    }

    [Fact]
    public void Of_UndefinedValues_LeftOutButKeptInValues()
    {
        MetricSummary s = MetricSummary.Of([0.5, double.NaN, 0.7]);

        Assert.Equal(0.6, s.Mean, 12);
        Assert.Equal(Math.Sqrt(0.02), s.StandardDeviation, 12);
        Assert.Equal(3, s.Values.Count);
        Assert.True(double.IsNaN(s.Values[1]));
    }

    [Fact]
    public void Of_OneDefinedValue_HasNoDeviationOrInterval()
    {
        MetricSummary s = MetricSummary.Of([0.5, double.NaN]);

        Assert.Equal(0.5, s.Mean);
        Assert.True(double.IsNaN(s.StandardDeviation));
        Assert.True(double.IsNaN(s.Lower));
        Assert.True(double.IsNaN(s.Upper));
    }

    [Theory]
    [InlineData(1, 12.706205)]
    [InlineData(4, 2.776445)]
    [InlineData(30, 2.042272)]
    [InlineData(31, 2.039513)]   // the expansion takes over here
    [InlineData(40, 2.021075)]
    [InlineData(99, 1.984217)]
    [InlineData(1000, 1.962339)]
    public void StudentT975_MatchesPublishedQuantiles(int degreesOfFreedom, double expected)
    {
        Assert.Equal(expected, MetricSummary.StudentT975(degreesOfFreedom), tolerance: 1e-5);
    }
}
