using System.Text;
using MlToolkit.Deployment;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Extraction.Csv;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;
using MlToolkit.Validation;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Validation.ProductionComparison;

/// <summary>
/// Two models trained once per test class on 200 rows and evaluated on the same separate 200-row test file: a good one
/// (real labels) and a useless one (the same rows with shuffled labels). Each serves as the production model to beat
/// or as the candidate, so the comparison's outcome is known in advance.
/// </summary>
public sealed class ComparisonModelsFixture : IAsyncLifetime
{
    public const int Seed = 11;

    private readonly TempFolder _folder = TestData.TempFolder();

    internal string GoodCsv { get; private set; } = string.Empty;

    internal string NoiseCsv { get; private set; } = string.Empty;

    internal string TestCsv { get; private set; } = string.Empty;

    internal PipelineResult Good { get; private set; } = null!;

    internal PipelineResult Noise { get; private set; } = null!;

    internal string FolderPath => _folder.Path;

    public async ValueTask InitializeAsync()
    {
        string good = TestData.BinaryCsv(rows: 200, seed: 1);
        GoodCsv = _folder.Write("good.csv", good);
        NoiseCsv = _folder.Write("noise.csv", ShuffleLabels(good, seed: 5));
        TestCsv = _folder.Write("test.csv", TestData.BinaryCsv(rows: 200, seed: 9));
        Good = await Builder(GoodCsv).Validate(v => v.AtLeast(Metric.Auc, 0)).Build().RunAsync(cancellationToken: Ct);
        Noise = await Builder(NoiseCsv).Validate(v => v.AtLeast(Metric.Auc, 0)).Build().RunAsync(cancellationToken: Ct);
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }

    internal PipelineBuilder Builder(string trainCsv, ITrainer? trainer = null, string? testCsv = null) => new PipelineBuilder(Seed)
        .FromCsv(trainCsv)
        .TestOn(CsvDataSource.FromFile(testCsv ?? TestCsv))
        .Label("label")
        .Train(trainer ?? Trainers.Binary.LightGbm(numberOfIterations: 10));

    internal static DeploymentContext ContextOf(PipelineResult result) => new(result.Model, result.Metrics, result.Validation, Seed) { TrainingMetrics = result.TrainingMetrics };

    private static string ShuffleLabels(string csv, int seed)
    {
        List<string> labels = Cells(csv, "label");
        new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(labels));
        string[] lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var shuffled = new StringBuilder(lines[0]).Append('\n');
        for (int i = 1; i < lines.Length; i++)
        {
            shuffled.Append(lines[i][..(lines[i].LastIndexOf(',') + 1)]).Append(labels[i - 1]).Append('\n');
        }

        return shuffled.ToString();
    }
}

public class ProductionComparisonValidatorTests(ComparisonModelsFixture f) : IClassFixture<ComparisonModelsFixture>
{
    private const string Model = "churn";
    private const string RelativeGate = "auc not worse than 'production'";

    public enum Production
    {
        /// <summary>Nothing in 'production'.</summary>
        None,

        /// <summary>'production' holds the good model; the candidate is trained on shuffled labels.</summary>
        BetterThanCandidate,

        /// <summary>'production' holds the shuffled-label model; the candidate is the good one.</summary>
        WorseThanCandidate,
    }

    private sealed record Setup(TempFolder Folder, LocalArtifactStore Store, ModelRegistry Registry) : IDisposable
    {
        public void Dispose() => Folder.Dispose();
    }

    private static Setup Create()
    {
        TempFolder folder = TestData.TempFolder();
        var store = new LocalArtifactStore(folder.Path);
        return new Setup(folder, store, new ModelRegistry(store, Model));
    }

    /// <summary>Publishes <paramref name="model"/> as version 1 and points 'production' at it.</summary>
    private static async Task PromoteAsync(Setup s, PipelineResult model)
    {
        ModelManifest manifest = await s.Registry.PublishAsync(ComparisonModelsFixture.ContextOf(model), Ct);
        Assert.Equal(1, manifest.Version);
        await s.Registry.SetAliasAsync("production", 1, force: true, cancellationToken: Ct);
    }

    [Theory]
    [InlineData(Production.None, true, true)]
    [InlineData(Production.None, false, true)]
    [InlineData(Production.BetterThanCandidate, true, false)]
    [InlineData(Production.BetterThanCandidate, false, false)]
    [InlineData(Production.WorseThanCandidate, true, true)]
    [InlineData(Production.WorseThanCandidate, false, true)]
    public async Task RunAsync_AbsoluteAndRelativeGates_DeployAndPromoteOnlyWhenBothPass(Production production, bool absolutePasses, bool relativePasses)
    {
        using Setup s = Create();
        if (production != Production.None)
        {
            await PromoteAsync(s, production == Production.BetterThanCandidate ? f.Good : f.Noise);
        }

        PipelineResult expectedCandidate = production == Production.BetterThanCandidate ? f.Noise : f.Good;
        PipelineResult expectedProduction = production == Production.BetterThanCandidate ? f.Good : f.Noise;
        double candidateAuc = expectedCandidate.Metrics[Metric.Auc];
        double absoluteThreshold = absolutePasses ? Math.Round(candidateAuc - 0.05, 2) : 0.9999;

        PipelineResult result = await f.Builder(production == Production.BetterThanCandidate ? f.NoiseCsv : f.GoodCsv)
            .Validate(v => v.AtLeast(Metric.Auc, absoluteThreshold))
            .ValidateAgainst(s.Registry, Metric.Auc)
            .PublishTo(s.Registry, promoteTo: "production")
            .Build()
            .RunAsync(cancellationToken: Ct);

        // Both gates ran and each gave the expected verdict.
        Assert.NotNull(result.Validation);
        Assert.Equal(2, result.Validation.Gates.Count);
        GateResult absolute = result.Validation.Gates[0];
        GateResult relative = result.Validation.Gates[1];
        Assert.Equal($"auc >= {absoluteThreshold}", absolute.Name);
        Assert.Equal(absolutePasses, absolute.Passed);
        Assert.Equal(RelativeGate, relative.Name);
        Assert.Equal(relativePasses, relative.Passed);
        Assert.Equal(result.Metrics[Metric.Auc], relative.Actual);
        Assert.Equal(candidateAuc, result.Metrics[Metric.Auc], 1e-9);
        Assert.Equal(absolutePasses && relativePasses, result.Validation.Passed);

        if (production == Production.None)
        {
            Assert.Equal("no model is in 'production' yet: the first model passes this gate.", relative.Reason);
            Assert.Contains("first model", relative.Reason, StringComparison.Ordinal);
            Assert.True(double.IsNaN(relative.Threshold));
        }
        else
        {
            // The production model scored on the very rows the candidate was tested on gives its own test AUC.
            Assert.Equal(expectedProduction.Metrics[Metric.Auc], relative.Threshold, 1e-9);
            Assert.StartsWith("auc ", relative.Reason, StringComparison.Ordinal);
            Assert.Contains("for 'production' (version 1) on the same test rows", relative.Reason, StringComparison.Ordinal);
            Assert.Equal(!relativePasses, relative.Reason.EndsWith(": the new model is worse.", StringComparison.Ordinal));
            Assert.Equal(relativePasses, relative.Actual >= relative.Threshold);
        }

        int previousVersions = production == Production.None ? 0 : 1;
        int? previousAlias = production == Production.None ? null : 1;
        IReadOnlyList<ModelManifest> versions = await s.Registry.ListVersionsAsync(Ct);
        ModelAlias? alias = await s.Registry.GetAliasAsync("production", Ct);
        if (absolutePasses && relativePasses)
        {
            // Deployed as the next version and promoted.
            Assert.Null(result.DeploymentSkippedReason);
            DeploymentResult deployment = Assert.Single(result.Deployments);
            Assert.Equal(previousVersions + 1, deployment.Version);
            Assert.Equal("production", deployment.PromotedTo);
            Assert.Equal(previousVersions + 1, versions.Count);
            Assert.Equal(previousVersions + 1, alias!.Version);
            Assert.Equal(previousAlias is null ? [] : [previousAlias.Value], alias.History);
        }
        else
        {
            // Not deployed; the skip reason names exactly the failed gates; the alias stays.
            Assert.Empty(result.Deployments);
            Assert.NotNull(result.DeploymentSkippedReason);
            Assert.StartsWith("Validation failed: ", result.DeploymentSkippedReason, StringComparison.Ordinal);
            Assert.Equal(!absolutePasses, result.DeploymentSkippedReason.Contains(absolute.Name, StringComparison.Ordinal));
            Assert.Equal(!relativePasses, result.DeploymentSkippedReason.Contains(RelativeGate, StringComparison.Ordinal));
            Assert.Equal(previousVersions, versions.Count);
            Assert.Equal(previousAlias, alias?.Version);
        }
    }

    [Fact]
    public async Task RunAsync_WorseCandidateWithForceDeployment_PublishedButNotPromoted()
    {
        using Setup s = Create();
        await PromoteAsync(s, f.Good);

        PipelineResult result = await f.Builder(f.NoiseCsv)
            .ValidateAgainst(s.Registry, Metric.Auc)
            .PublishTo(s.Registry)
            .ForceDeployment()
            .Build()
            .RunAsync(cancellationToken: Ct);

        Assert.False(result.Validation!.Passed);
        DeploymentResult deployment = Assert.Single(result.Deployments);
        Assert.Equal(2, deployment.Version);
        Assert.Null(deployment.PromotedTo);
        Assert.Equal("not promoted to 'production': validation failed", deployment.PromotionSkippedReason);
        ModelAlias alias = (await s.Registry.GetAliasAsync("production", Ct))!;
        Assert.Equal(1, alias.Version);
        Assert.Empty(alias.History);
        Assert.False((await s.Registry.GetManifestAsync(2, Ct)).Validation!.Passed);
    }

    [Fact]
    public async Task RunAsync_MetricNotComputedForTheTask_GateFailsWithReasonNoException()
    {
        using Setup s = Create();
        await PromoteAsync(s, f.Good);

        PipelineResult result = await f.Builder(f.GoodCsv).ValidateAgainst(s.Registry, Metric.Rmse).PublishTo(s.Registry).Build().RunAsync(cancellationToken: Ct);

        GateResult gate = Assert.Single(result.Validation!.Gates);
        Assert.Equal("rmse not worse than 'production'", gate.Name);
        Assert.False(gate.Passed);
        Assert.True(double.IsNaN(gate.Actual));
        Assert.Equal("rmse of the new model is undefined on the test data.", gate.Reason);
        Assert.Empty(result.Deployments);
        Assert.Equal(1, (await s.Registry.GetAliasAsync("production", Ct))!.Version);
    }

    [Fact]
    public async Task RunAsync_SingleClassTestData_AucUndefinedGateFailsWithReasonNoException()
    {
        using Setup s = Create();
        await PromoteAsync(s, f.Good);
        string test = TestData.BinaryCsv(rows: 200, seed: 9);
        string[] lines = test.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string oneClass = string.Join('\n', lines.Where((l, i) => i == 0 || l.EndsWith(",no", StringComparison.Ordinal))) + "\n";
        string testCsv = Path.Combine(f.FolderPath, $"one-class-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(testCsv, oneClass, Ct);

        PipelineResult result = await f.Builder(f.GoodCsv, testCsv: testCsv).ValidateAgainst(s.Registry, Metric.Auc).PublishTo(s.Registry).Build().RunAsync(cancellationToken: Ct);

        Assert.True(double.IsNaN(result.Metrics[Metric.Auc]));
        GateResult gate = Assert.Single(result.Validation!.Gates);
        Assert.False(gate.Passed);
        Assert.Equal("auc of the new model is undefined on the test data.", gate.Reason);
        Assert.Empty(result.Deployments);
        Assert.Equal(1, (await s.Registry.GetAliasAsync("production", Ct))!.Version);
    }

    [Fact]
    public async Task RunAsync_SlightlyWorseCandidate_FailsWithoutToleranceAndPassesWithinIt()
    {
        using Setup s = Create();
        await PromoteAsync(s, f.Good);
        ITrainer weaker = Trainers.Binary.LightGbm(numberOfIterations: 3);

        PipelineResult strict = await f.Builder(f.GoodCsv, weaker).ValidateAgainst(s.Registry, Metric.Auc).PublishTo(s.Registry).Build().RunAsync(cancellationToken: Ct);

        GateResult strictGate = Assert.Single(strict.Validation!.Gates);
        double reference = f.Good.Metrics[Metric.Auc];
        double shortfall = reference - strictGate.Actual;
        Assert.False(strictGate.Passed);
        Assert.Equal(reference, strictGate.Threshold, 1e-9);
        Assert.InRange(shortfall, 0.001, 0.1); // slightly worse
        Assert.Empty(strict.Deployments);

        double tolerance = Math.Round(shortfall + 0.005, 3);
        PipelineResult tolerant = await f.Builder(f.GoodCsv, weaker).ValidateAgainst(s.Registry, Metric.Auc, tolerance).PublishTo(s.Registry).Build().RunAsync(cancellationToken: Ct);

        GateResult gate = Assert.Single(tolerant.Validation!.Gates);
        Assert.True(gate.Passed);
        Assert.Equal($"auc not worse than 'production' (tolerance {tolerance})", gate.Name);
        Assert.Equal(reference - tolerance, gate.Threshold, 1e-9);
        Assert.Equal(strictGate.Actual, gate.Actual, 1e-9);
        Assert.DoesNotContain("worse.", gate.Reason, StringComparison.Ordinal);
        DeploymentResult deployment = Assert.Single(tolerant.Deployments);
        Assert.Equal((2, "production"), (deployment.Version, deployment.PromotedTo));
        Assert.Equal(2, (await s.Registry.GetAliasAsync("production", Ct))!.Version);
    }

    [Fact]
    public async Task RunAsync_LowerIsBetterMetric_WorseCandidateFailsAgainstReferencePlusTolerance()
    {
        using Setup s = Create();
        await PromoteAsync(s, f.Good);

        PipelineResult result = await f.Builder(f.NoiseCsv).ValidateAgainst(s.Registry, Metric.LogLoss, tolerance: 0.01).Build().RunAsync(cancellationToken: Ct);

        GateResult gate = Assert.Single(result.Validation!.Gates);
        Assert.False(gate.Passed);
        Assert.Equal(f.Good.Metrics[Metric.LogLoss] + 0.01, gate.Threshold, 1e-9);
        Assert.Equal(result.Metrics[Metric.LogLoss], gate.Actual);
        Assert.True(gate.Actual > gate.Threshold);
        Assert.EndsWith(": the new model is worse.", gate.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ProductionModelFileTampered_GateFailsSayingItCouldNotBeLoaded()
    {
        using Setup s = Create();
        await PromoteAsync(s, f.Noise);
        ModelManifest manifest = await s.Registry.GetManifestAsync(1, Ct);
        string blob = s.Store.GetPath(manifest.ModelKey);
        byte[] bytes = await File.ReadAllBytesAsync(blob, Ct);
        bytes[bytes.Length / 3] ^= 0x20;
        await File.WriteAllBytesAsync(blob, bytes, Ct);

        PipelineResult result = await f.Builder(f.GoodCsv).ValidateAgainst(s.Registry, Metric.Auc).PublishTo(s.Registry).Build().RunAsync(cancellationToken: Ct);

        GateResult gate = Assert.Single(result.Validation!.Gates);
        Assert.False(gate.Passed);
        Assert.StartsWith("the 'production' model (version 1) could not be loaded: its model file's SHA-256 is ", gate.Reason, StringComparison.Ordinal);
        Assert.Empty(result.Deployments);
    }

    [Fact]
    public async Task RunAsync_ProductionCannotScoreHeldOutData_GateFailsWithReason()
    {
        using Setup s = Create();
        await PromoteAsync(s, f.Noise);

        // The candidate ignores x1, so the held-out rows lack a column the production model reads.
        PipelineResult result = await f.Builder(f.GoodCsv).Ignore("x1").ValidateAgainst(s.Registry, Metric.Auc).PublishTo(s.Registry).Build().RunAsync(cancellationToken: Ct);

        GateResult gate = Assert.Single(result.Validation!.Gates);
        Assert.False(gate.Passed);
        Assert.StartsWith("the 'production' model (version 1) cannot score the test data: ", gate.Reason, StringComparison.Ordinal);
        Assert.Contains("x1", gate.Reason, StringComparison.Ordinal);
        Assert.Empty(result.Deployments);
    }

    [Fact]
    public void Constructor_NegativeOrNonFiniteTolerance_Throws()
    {
        using Setup s = Create();

        Assert.Throws<ArgumentOutOfRangeException>(() => new ProductionComparisonValidator(s.Registry, Metric.Auc, tolerance: -0.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProductionComparisonValidator(s.Registry, Metric.Auc, tolerance: double.NaN));
        Assert.Equal("auc not worse than 'production' of churn", new ProductionComparisonValidator(s.Registry, Metric.Auc).ToString());
    }
}
