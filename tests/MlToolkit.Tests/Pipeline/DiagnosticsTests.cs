using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MlToolkit.Pipeline;
using MlToolkit.Storage;
using MlToolkit.Training;

namespace MlToolkit.Tests.Pipeline;

public class DiagnosticsTests
{
    [Fact]
    public async Task RunAsync_WithListenerAndLogger_OneActivityPerStageAndStableEventIds()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = folder.Write("data.csv", TestData.BinaryCsv(rows: 300));
        var activities = new ConcurrentBag<Activity>();
        using var parent = new ActivitySource("MlToolkit.Tests.Diagnostics");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "MlToolkit" or "MlToolkit.Tests.Diagnostics",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);
        var logger = new CollectingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logger).SetMinimumLevel(LogLevel.Debug));

        ActivityTraceId trace;
        using (Activity root = parent.StartActivity("test-root")!)
        {
            trace = root.TraceId;
            await new PipelineBuilder(seed: 3)
                .FromCsv(csv)
                .Label("label")
                .Train(Trainers.Binary.LightGbm(numberOfIterations: 20))
                .SaveModelTo(new LocalArtifactStore(folder.Path), "model.zip")
                .WithLogging(loggerFactory)
                .Build()
                .RunAsync(cancellationToken: TestContext.Current.CancellationToken);
        }

        string[] names = activities.Where(a => a.TraceId == trace && a.Source.Name == "MlToolkit").Select(a => a.OperationName).Order().ToArray();
        Assert.Equal(
            new[] { "MlToolkit.DataQuality", "MlToolkit.Deployment", "MlToolkit.Evaluation", "MlToolkit.Extraction", "MlToolkit.Pipeline.Run", "MlToolkit.Preparation", "MlToolkit.Split", "MlToolkit.Training" },
            names);
        Assert.All(activities.Where(a => a.TraceId == trace && a.OperationName != "MlToolkit.Pipeline.Run" && a.Source.Name == "MlToolkit"),
            a => Assert.Equal("MlToolkit.Pipeline.Run", a.Parent?.OperationName));

        int[] ids = logger.Events.Select(e => e.Id).Distinct().Order().ToArray();
        Assert.Contains(1000, ids); // run started
        Assert.Contains(1002, ids); // extracted rows
        Assert.Contains(1006, ids); // positive class
        Assert.Contains(1010, ids); // deployed
        Assert.Equal(7, logger.Events.Count(e => e.Id == 1001)); // one "stage finished" per stage
        Assert.Contains(logger.Events, e => e.Id == 1006 && e.Message.Contains("positive class is 'yes'", StringComparison.Ordinal));
    }
}
