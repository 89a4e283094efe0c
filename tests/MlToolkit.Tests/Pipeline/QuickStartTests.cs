using MlToolkit.Evaluation;
using MlToolkit.Pipeline;
using MlToolkit.Validation;
using QuickStart;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Pipeline;

public class QuickStartTests
{
    [Fact]
    public async Task QuickStartPipeline_ChurnData_AucAboveBaselineAndModelSaved()
    {
        using TempFolder folder = TestData.TempFolder();
        string csv = Path.Combine(folder.Path, "data", "churn.csv");
        ChurnData.Write(csv); // the sample's own 4,000 rows: its gates (AUC, fit diagnosis) are set for them
        string artifacts = Path.Combine(folder.Path, "artifacts");
        PipelineResult result = await QuickStartPipeline.RunAsync(csv, artifacts, cancellationToken: Ct);

        // Measured: test AUC 0.846, validation AUC 0.848, fit healthy (training 0.885).
        Assert.InRange(result.Metrics[Metric.Auc], 0.82, 0.87);
        Assert.True(result.Validation!.Passed, string.Join("; ", result.Validation.Gates.Select(g => g.Reason)));
        Assert.Equal(FitVerdict.Healthy, result.Validation.Diagnosis!.Verdict);
        Assert.Equal(1, result.Deployments[0].Version);
        Assert.Equal("production", result.Deployments[0].PromotedTo);
        string model = Path.Combine(artifacts, "quickstart", "blobs", result.Deployments[0].Sha256 + ".zip");
        Assert.Equal(Path.GetFullPath(model), result.ModelLocation);
        Assert.True(File.Exists(model));
        Assert.Equal(new FileInfo(model).Length, result.Deployments[0].Bytes);
        Assert.True(File.Exists(Path.Combine(artifacts, "quickstart", "versions", "00000001.json")));
        Assert.True(File.Exists(Path.Combine(artifacts, "quickstart", "aliases", "production.json")));
        Assert.Equal(4000, result.Rows);
        Assert.Equal(800, result.TestRows);
        Assert.Equal(2800, result.TrainRows);
        Assert.DoesNotContain("CustomerId", result.Model.InputSchema.Select(c => c.Name));
    }


    private static List<string> Unindented(string text)
        => text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.TrimStart().TrimEnd()).ToList();

    [Fact]
    public void Readme_QuickStartSnippet_QuotesTheSampleVerbatim()
    {
        string root = RepositoryPaths.Root();
        List<string> sample = Unindented(File.ReadAllText(Path.Combine(root, "samples", "QuickStart", "QuickStartPipeline.cs")));
        var blocks = new List<List<string>>();
        for (int start = sample.IndexOf("// <quickstart>"); start >= 0; start = sample.IndexOf("// <quickstart>", start + 1))
        {
            int end = sample.IndexOf("// </quickstart>", start);
            Assert.True(end > start + 1, "A // <quickstart> block of the sample has no // </quickstart>.");
            blocks.Add(sample.GetRange(start + 1, end - start - 1));
        }

        Assert.Equal(2, blocks.Count); // the builder, then building and running it (the sample's --cv and --tune go between)
        Assert.Contains(blocks[0], l => l.StartsWith(".Train(Trainers.Binary.LightGbm(", StringComparison.Ordinal));

        string readmePath = Path.Combine(root, "README.md");
        Assert.True(File.Exists(readmePath), $"{readmePath} does not exist.");
        List<string> readme = Unindented(File.ReadAllText(readmePath));

        // Both blocks, one right after the other, so that the README shows one runnable piece of code.
        List<string> snippet = [.. blocks[0], .. blocks[1]];
        bool found = Enumerable.Range(0, Math.Max(0, readme.Count - snippet.Count + 1))
            .Any(i => readme.Skip(i).Take(snippet.Count).SequenceEqual(snippet, StringComparer.Ordinal));
        Assert.True(found, "README.md does not quote the quick start of samples/QuickStart/QuickStartPipeline.cs verbatim:" + Environment.NewLine + string.Join(Environment.NewLine, snippet));
    }
}
