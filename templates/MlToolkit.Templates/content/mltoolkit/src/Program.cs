using MlToolkit;
using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkitApp;

// dotnet run: trains and evaluates on data/customers.csv (sample data is written there if the file is missing),
// then saves the model, its manifest and the metrics to artifacts/.
string root = ProjectPaths.Root();
string data = Path.Combine(root, "data", "customers.csv");
if (!File.Exists(data))
{
    SampleData.Write(data, rows: 3000, seed: 42);
    Console.WriteLine($"Wrote sample data to {data}; replace it with your own (same columns, or change src/Pipeline.cs).");
}

var progress = new Progress<PipelineProgress>(p =>
{
    if (!p.Completed)
    {
        Console.Error.WriteLine($"[{p.StageNumber}/{p.StageCount}] {p.Message}");
    }
});

try
{
    PipelineResult result = await Pipeline.Create(data, Path.Combine(root, "artifacts")).RunAsync(progress);
    Console.WriteLine($"Trained {result.Trainer} on {result.TrainRows} rows; tested on {result.TestRows}:");
    foreach ((string metric, double value) in result.Metrics.Metrics)
    {
        Console.WriteLine($"  {metric,-10} {value:F4}");
    }

    Console.WriteLine(result.Validation is { Passed: true } ? "Validation passed." : "Validation FAILED: " + string.Join("; ", result.Validation?.Gates.Where(g => !g.Passed).Select(g => g.Reason) ?? []));
    Console.WriteLine($"Model: {result.ModelLocation}");
    return result.Validation is { Passed: true } ? 0 : 3;
}
catch (MlToolkitException ex)
{
    Console.Error.WriteLine($"error ({ex.Stage}): {ex.Message}");
    return 1;
}
