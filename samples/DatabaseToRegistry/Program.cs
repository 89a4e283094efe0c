using DatabaseToRegistry;
using MlToolkit.Pipeline;

// dotnet run --project samples/DatabaseToRegistry [-- --postgres "Host=...;Database=..." --azure "<connection string>" --container models]
// Without --postgres it trains from a SQLite file it creates in ./artifacts; without --azure it publishes to ./artifacts.
SampleSettings settings = SampleSettings.From(args);
var progress = new Progress<PipelineProgress>(p =>
{
    if (!p.Completed)
    {
        Console.WriteLine($"[{p.StageNumber}/{p.StageCount}] {p.Message}");
    }
});
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
SampleOutcome outcome = await DatabaseToRegistrySample.RunAsync(settings, progress, cancel.Token);
Console.WriteLine($"Trained from {outcome.Source}; published to {outcome.Store}.");
Console.WriteLine(DatabaseToRegistrySample.Summary(outcome));
return 0;
