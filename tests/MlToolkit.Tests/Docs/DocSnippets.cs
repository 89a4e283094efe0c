using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MlToolkit.Deployment.Prediction;
using MlToolkit.Deployment.Registry;
using MlToolkit.Evaluation;
using MlToolkit.Extraction.Csv;
using MlToolkit.Pipeline;
using MlToolkit.Preparation.Imputation;
using MlToolkit.Preparation.Scaling;
using MlToolkit.Reporting;
using MlToolkit.Storage;
using MlToolkit.Training;
using MlToolkit.Training.Search;
using static MlToolkit.Tests.PipelineTestKit;
using Search = MlToolkit.Training.Search.Search;

// The snippets read as user code: they call the async APIs without the test's cancellation token.
#pragma warning disable xUnit1051

namespace MlToolkit.Tests.Docs;

/// <summary>
/// The code of the guides in <c>docs/</c>: each <c>// &lt;snippet:Name&gt;</c> region is quoted verbatim by a guide, and
/// each test here runs it on generated data, so the guides' code works. The guide shows, around the region, the usings
/// and the definitions of the variables that a test sets its own way (paths, the registry); <see cref="DocsTests"/> checks
/// the quotes and compiles each guide's blocks exactly as shown.
/// </summary>
public class DocSnippets
{
    private readonly TempFolder _folder = TestData.TempFolder();

    private string Csv() => _folder.Write("customers.csv", TestData.BinaryCsv(800));

    [Fact]
    public async Task Store_RegistryInAFolder_PublishesAndLoads()
    {
        string csvPath = Csv();
        string artifacts = Path.Combine(_folder.Path, "artifacts");

        // <snippet:Store>
        IArtifactStore store = new LocalArtifactStore(artifacts);        // or AzureBlobArtifactStore, S3ArtifactStore
        var registry = new ModelRegistry(store, "churn");

        PipelineResult result = await new PipelineBuilder(seed: 42)
            .FromCsv(csvPath)
            .Label("label")
            .Train(Trainers.Binary.LightGbm())
            .Validate(v => v.AtLeast(Metric.Auc, 0.7))                 // promotion needs passed gates
            .PublishTo(registry, promoteTo: "production")              // versions/, blobs/ (by SHA-256), aliases/
            .Build()
            .RunAsync();

        LoadedModel model = await registry.LoadAsync("production");     // the SHA-256 is checked before loading
        Console.WriteLine($"production: version {model.Manifest.Version} of {registry.Name}");
        // </snippet:Store>

        Assert.Equal(1, model.Manifest.Version);
        Assert.Equal(result.Deployments[0].Sha256, model.Manifest.Sha256);
    }

    [Fact]
    public async Task Extract_CsvWithOptions_ReadsMissingValuesAsMissing()
    {
        string csvPath = _folder.Write("semicolons.csv", "x1;x2;color;flag;label\n" + string.Join("\n", TestData.BinaryCsv(400).Split('\n').Skip(1).Where(l => l.Length > 0).Select(l => l.Replace(',', ';').Replace(";;", ";-;"))) + "\n");

        // <snippet:Extract>
        PipelineResult result = await new PipelineBuilder(seed: 42)
            .FromCsv(csvPath, csv =>
            {
                csv.Separator = ';';
                csv.MissingValues.Add("-");                            // besides "", "?" and "NA"
                csv.BadRows = BadRowHandling.Skip;                     // counted in the data-quality report
            })
            .Label("label")
            .Train(Trainers.Binary.LightGbm())
            .Build()
            .RunAsync();

        Console.WriteLine($"{result.DataQuality.Rows} rows, {result.DataQuality.SkippedRowCount} skipped, missing: "
            + string.Join(", ", result.DataQuality.MissingValues.Select(m => $"{m.Key} {m.Value}")));
        // </snippet:Extract>

        Assert.Equal(400, result.DataQuality.Rows);
        Assert.True(result.DataQuality.MissingValues["x2"] > 0);
    }

    [Fact]
    public async Task Prepare_ImputeEncodeScaleSplit_FittedOnTheTrainingPartOnly()
    {
        string csvPath = Csv();

        // <snippet:Prepare>
        TrainingPipeline pipeline = new PipelineBuilder(seed: 42)
            .FromCsv(csvPath)
            .Label("label")
            .Prepare(p => p
                .ImputeMissing(ImputationStrategy.Median, "x2")       // statistics of the training part only
                .OneHotEncode("color")                                 // unseen categories become all zeros
                .Scale(ScalingMethod.MinMax, "x1", "x2"))
            .Split(test: 0.2, validation: 0.1)                         // stratified by label
            .Train(Trainers.Binary.SdcaLogisticRegression())
            .Build();                                                  // every column and type checked here

        foreach (StageDescription stage in pipeline.Describe())
        {
            Console.WriteLine(stage);
        }
        // </snippet:Prepare>

        PipelineResult result = await pipeline.RunAsync(cancellationToken: Ct);
        Assert.Equal(800, result.TrainRows + result.ValidationRows + result.TestRows);
        Assert.InRange(result.TrainRows, 555, 565);
        Assert.Contains(pipeline.Describe(), s => s.Stage == PipelineStage.Preparation);
    }

    [Fact]
    public async Task Train_CrossValidateAndTune_ReportsSpreadAndWinner()
    {
        string csvPath = Csv();

        // <snippet:Train>
        PipelineResult result = await new PipelineBuilder(seed: 42)
            .FromCsv(csvPath)
            .Label("label")
            .Split(test: 0.2, validation: 0.1)
            .Tune(
                Search.SuccessiveHalving(trials: 9),                   // or Search.Random(30), Search.Grid(points: 3)
                SearchSpaces.Binary.LightGbm(earlyStoppingRounds: 20), // stops on the validation part
                SearchSpaces.Binary.SdcaLogisticRegression())
            .CrossValidate(folds: 5)                                   // the winner's spread, folds fitted apart
            .Build()
            .RunAsync();

        Console.WriteLine($"Best: {result.Tuning!.Best!.Description} ({result.Tuning.Metric} {result.Tuning.Best.Score:F3})");
        Console.WriteLine($"5-fold AUC: {result.CrossValidation![Metric.Auc]}");   // mean ± SD (95% CI …)
        // </snippet:Train>

        Assert.Equal(12, result.Tuning.Trials.Count);
        Assert.Equal(5, result.CrossValidation.Folds.Count);
    }

    [Fact]
    public async Task Evaluate_ImportanceCurveAndReport_WritesTheHtml()
    {
        string csvPath = Csv();
        string reports = Path.Combine(_folder.Path, "reports");

        // <snippet:Evaluate>
        PipelineResult result = await new PipelineBuilder(seed: 42)
            .FromCsv(csvPath)
            .Label("label")
            .Train(Trainers.Binary.LightGbm())
            .ExplainFeatures(repeats: 5)                               // permutation importance of the raw columns
            .LearningCurve(points: 5)
            .Build()
            .RunAsync();

        Console.WriteLine($"AUC {result.Metrics[Metric.Auc]:F3}, log-loss {result.Metrics[Metric.LogLoss]:F3} (nats)");
        foreach (FeatureImportance column in result.FeatureImportance!.Columns)
        {
            Console.WriteLine($"{column.Column}: {column.Mean:F3} ± {column.StandardDeviation:F3}");
        }

        ReportFiles report = await PipelineReport.Create(result, "Churn").WriteAsync(reports, "churn"); // MlToolkit.Reporting
        Console.WriteLine($"Report: {report.Html}");
        // </snippet:Evaluate>

        Assert.Equal("x1", result.FeatureImportance.Columns[0].Column);
        Assert.Contains("<figure id=\"plot-roc\">", await File.ReadAllTextAsync(report.Html, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_GatesAndDiagnosis_BlockAWorseModel()
    {
        string csvPath = Csv();
        var registry = new ModelRegistry(new LocalArtifactStore(Path.Combine(_folder.Path, "artifacts")), "churn");

        // <snippet:Validate>
        PipelineResult result = await new PipelineBuilder(seed: 42)
            .FromCsv(csvPath)
            .Label("label")
            .Split(test: 0.2, validation: 0.1)
            .Train(Trainers.Binary.LightGbm(numberOfIterations: 50, numberOfLeaves: 4))
            .Validate(v => v.AtLeast(Metric.Auc, 0.75).AtMost(Metric.LogLoss, 0.6))
            .DiagnoseFit()                                             // overfitting or underfitting fails validation
            .ValidateAgainst(registry, Metric.Auc, tolerance: 0.01)    // not worse than 'production'
            .PublishTo(registry, promoteTo: "production")              // only when every gate passes
            .Build()
            .RunAsync();

        foreach (var gate in result.Validation!.Gates)
        {
            Console.WriteLine($"[{(gate.Passed ? "pass" : "FAIL")}] {gate.Name}: {gate.Reason}");
        }
        // </snippet:Validate>

        Assert.True(result.Validation.Passed, string.Join("; ", result.Validation.Gates.Select(g => g.Reason)));
        Assert.Equal("production", result.Deployments[0].PromotedTo);
    }

    [Fact]
    public async Task Deploy_PredictionServiceAndHosts_PredictByName()
    {
        string csvPath = Csv();
        string artifacts = Path.Combine(_folder.Path, "artifacts");
        var registry = new ModelRegistry(new LocalArtifactStore(artifacts), "churn");
        await new PipelineBuilder(seed: 42).FromCsv(csvPath).Label("label").Train(Trainers.Binary.LightGbm()).PublishTo(registry, forcePromotion: true).Build().RunAsync(cancellationToken: Ct);

        // <snippet:Deploy>
        await using var predictions = new PredictionService(registry, new PredictionServiceOptions
        {
            Alias = "production",                                      // followed: a promotion is served without a restart
            UnseenCategories = UnseenCategoryPolicy.Allow,
        });
        await predictions.StartAsync();

        Prediction answer = predictions.Predict(new Dictionary<string, object?>
        {
            ["x1"] = 9.5, ["x2"] = 1.0, ["color"] = "blue", ["flag"] = false,
        });
        Console.WriteLine($"{answer.PredictedLabel} (p = {answer.Probability:F3}) by version {answer.Version}");
        // </snippet:Deploy>

        Assert.Equal(1, answer.Version);
        Assert.Equal("yes", answer.PredictedLabel);
    }

    [Fact]
    public void Host_ServicesAndEndpoints_Register()
    {
        string artifacts = Path.Combine(_folder.Path, "artifacts");
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();

        // <snippet:Host>
        builder.Services.AddMlToolkit(builder.Configuration.GetSection("MlToolkit"), ml => ml
            .AddLocalStore("local", artifacts)
            .AddRegistry("churn", store: "local")
            .AddPipeline("churn", (services, pipeline) => pipeline
                .FromCsv("data/customers.csv")
                .Label("label")
                .Train(Trainers.Binary.LightGbm())
                .PublishTo(services.GetRequiredKeyedService<ModelRegistry>("churn"))));

        builder.Services.AddMlToolkitServing(serving => serving         // MlToolkit.AspNetCore
            .AddModel("churn", services => services.GetRequiredKeyedService<ModelRegistry>("churn")));
        WebApplication app = builder.Build();
        app.MapPredictionEndpoints();                                  // POST /models/churn/predict, /health/ready, …
        // </snippet:Host>

        Assert.Equal("churn", app.Services.GetRequiredKeyedService<ModelRegistry>("churn").Name);
        Assert.Equal(Path.GetFullPath(artifacts), Path.GetFullPath(((LocalArtifactStore)app.Services.GetRequiredKeyedService<IArtifactStore>("local")).RootPath));
        MlToolkit.AspNetCore.ModelServing serving = app.Services.GetRequiredService<MlToolkit.AspNetCore.ModelServing>();
        Assert.Equal(["churn"], serving.Names);
        Assert.True(serving.TryGet("churn", out PredictionService? served));
        Assert.Same(app.Services.GetRequiredKeyedService<ModelRegistry>("churn"), served.Registry); // one registry, served by name
    }
}
