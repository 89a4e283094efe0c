using System.Text.RegularExpressions;

namespace MlToolkit.Tests.Docs;

/// <summary>
/// The guides in <c>docs/</c>: their code compiles as shown, in the project and with the packages they name
/// (<see cref="GuideCode"/>), and quotes the code of <see cref="DocSnippets"/>, which runs it, verbatim.
/// </summary>
public partial class DocsTests
{

    private static string[] Lines(string text) => [.. text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.Trim())];

    private static Dictionary<string, string[]> Snippets()
    {
        string[] source = Lines(File.ReadAllText(Path.Combine(RepositoryPaths.Root(), "tests", "MlToolkit.Tests", "Docs", "DocSnippets.cs")));
        var snippets = new Dictionary<string, string[]>(StringComparer.Ordinal);
        for (int i = 0; i < source.Length; i++)
        {
            Match start = SnippetStart().Match(source[i]);
            if (start.Success)
            {
                int end = Array.IndexOf(source, $"// </snippet:{start.Groups[1].Value}>", i);
                snippets[start.Groups[1].Value] = source[(i + 1)..end];
            }
        }

        return snippets;
    }

    /// <summary>Every <c>&lt;!-- snippet: Name --&gt;</c> in the guides, with the code block that follows it.</summary>
    private static List<(string File, string Name, string[] Code)> Quotes()
    {
        var quotes = new List<(string, string, string[])>();
        foreach (string file in Directory.GetFiles(Path.Combine(RepositoryPaths.Root(), "docs"), "*.md"))
        {
            string[] lines = Lines(File.ReadAllText(file));
            for (int i = 0; i < lines.Length; i++)
            {
                Match marker = DocMarker().Match(lines[i]);
                if (marker.Success)
                {
                    Assert.True(i + 1 < lines.Length && lines[i + 1] == "```csharp", $"{Path.GetFileName(file)}: the snippet marker {marker.Groups[1].Value} is not followed by a ```csharp block.");
                    int end = Array.IndexOf(lines, "```", i + 2);
                    quotes.Add((Path.GetFileName(file), marker.Groups[1].Value, lines[(i + 2)..end]));
                }
            }
        }

        return quotes;
    }

    /// <summary>
    /// A guide's block is the snippet of <see cref="DocSnippets"/> that a test runs, with, around it, only what the test
    /// sets up its own way: the usings and the variables' definitions before it (a path of the reader's, say) and the
    /// host's <c>app.Run()</c> after it. <see cref="Guides_EveryProgram_CompilesAsShown"/> compiles the whole block.
    /// </summary>
    [Fact]
    public void Guides_EverySnippet_QuotesTheTestedCodeVerbatim()
    {
        Dictionary<string, string[]> snippets = Snippets();
        List<(string File, string Name, string[] Code)> quotes = Quotes();

        Assert.NotEmpty(quotes);
        foreach ((string file, string name, string[] code) in quotes)
        {
            Assert.True(snippets.TryGetValue(name, out string[]? expected), $"{file} quotes snippet {name}, which DocSnippets.cs does not have.");
            int at = Enumerable.Range(0, Math.Max(0, code.Length - expected.Length + 1)).FirstOrDefault(i => code.AsSpan(i, expected.Length).SequenceEqual(expected), -1);
            Assert.True(at >= 0 && expected.Length > 0, $"{file}: snippet {name} does not hold the code of DocSnippets.cs:\n{string.Join("\n", expected)}");
            string? untested = GuideCode.UntestedCode(string.Join("\n", code[..at]), string.Join("\n", code[(at + expected.Length)..]));
            Assert.True(untested is null, $"{file}: snippet {name} has code around the tested region that is not a using, a variable's definition or app.Run(): {untested}");
        }

        Assert.Empty(snippets.Keys.Except(quotes.Select(q => q.Name)));
    }

    [Fact]
    public void Guides_EveryProgram_CompilesAsShown()
    {
        var failures = new List<string>();
        int programs = 0;
        foreach (string guide in GuideCode.Guides())
        {
            foreach (GuideProgram program in GuideCode.Programs(guide))
            {
                programs++;
                failures.AddRange(GuideCode.Compile(program));
            }
        }

        Assert.True(failures.Count == 0, "The guides' code, pasted into Program.cs as the guides say, does not compile cleanly:\n" + string.Join("\n", failures));
        Assert.Equal(8, programs); // one console program per guide, and the host's web program in 7-deploy.md
    }

    private static GuideProgram Program(bool web, string[] packages, params string[] code) => new("7-deploy.md", web, packages, [new GuideBlock("Deploy", code, 10)]);

    [Fact]
    public void Compile_SnippetWithoutUsingsOrDefinitions_NamesTheGuideLineAndWhatIsMissing()
    {
        // 7-deploy.md's block as it was: no usings, and a registry defined elsewhere.
        IReadOnlyList<string> errors = GuideCode.Compile(Program(false, ["MlToolkit"],
            "await using var predictions = new PredictionService(registry, new PredictionServiceOptions());",
            "await predictions.StartAsync();"));

        Assert.Contains(errors, e => e.StartsWith("7-deploy.md(10,", StringComparison.Ordinal) && e.Contains("CS0246", StringComparison.Ordinal) && e.Contains("'PredictionService'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("7-deploy.md(10,", StringComparison.Ordinal) && e.Contains("CS0103", StringComparison.Ordinal) && e.Contains("'registry'", StringComparison.Ordinal));
    }

    [Fact]
    public void Compile_UnneededUsingOrWarning_Fails()
    {
        IReadOnlyList<string> errors = GuideCode.Compile(Program(false, ["MlToolkit"],
            "using MlToolkit.Storage;",
            "string? path = null;",
            "Console.WriteLine(path.Length);"));

        Assert.Contains(errors, e => e.StartsWith("7-deploy.md(10,1): unnecessary using CS8019", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("7-deploy.md(12,", StringComparison.Ordinal) && e.Contains("warning CS8602", StringComparison.Ordinal)); // nullable is on, as in dotnet new console
    }

    [Fact]
    public void Compile_OnlyTheProjectsFrameworkAndTheNamedPackages_AreReferenced()
    {
        string[] host = ["WebApplication app = WebApplication.CreateBuilder(args).Build();", "app.Run();"];
        string[] report = ["using MlToolkit.Reporting;", "Console.WriteLine(typeof(PipelineReport));"];

        Assert.Contains(GuideCode.Compile(Program(false, ["MlToolkit"], host)), e => e.Contains("CS0246", StringComparison.Ordinal) && e.Contains("'WebApplication'", StringComparison.Ordinal));
        Assert.Empty(GuideCode.Compile(Program(true, ["MlToolkit.AspNetCore"], host)));
        Assert.Contains(GuideCode.Compile(Program(false, ["MlToolkit"], report)), e => e.Contains("CS0234", StringComparison.Ordinal) && e.Contains("'Reporting'", StringComparison.Ordinal));
        Assert.Empty(GuideCode.Compile(Program(false, ["MlToolkit", "MlToolkit.Reporting"], report)));
    }

    [Theory]
    [InlineData("using MlToolkit;\nstring csvPath = \"data/customers.csv\";\nvar registry = new ModelRegistry(new LocalArtifactStore(\"artifacts\"), \"churn\");", "app.Run();", null)]
    [InlineData("string csvPath = \"data/customers.csv\";\nFile.Delete(csvPath);", "", "File.Delete(csvPath);")]
    [InlineData("var rows = await File.ReadAllLinesAsync(\"data/customers.csv\");", "", "var rows = await File.ReadAllLinesAsync(\"data/customers.csv\");")]
    [InlineData("", "Console.WriteLine(\"done\");", "Console.WriteLine(\"done\");")]
    [InlineData("", "using MlToolkit;", "using MlToolkit;")]
    public void UntestedCode_AroundARegion_OnlyUsingsDefinitionsAndRun(string before, string after, string? untested)
        => Assert.Equal(untested, GuideCode.UntestedCode(before, after));

    [Fact]
    public void Guides_OnePerStage_LinkedFromTheIndex()
    {
        string docs = Path.Combine(RepositoryPaths.Root(), "docs");
        string index = File.ReadAllText(Path.Combine(docs, "README.md"));

        foreach (string guide in Directory.GetFiles(docs, "*.md").Select(f => Path.GetFileName(f)).Where(f => f != "README.md"))
        {
            Assert.Contains($"({guide})", index, StringComparison.Ordinal);
        }

        Assert.Equal(8, Directory.GetFiles(docs, "*.md").Length); // the index and one guide per stage (7)
    }

    [GeneratedRegex(@"^// <snippet:([A-Za-z]+)>$")]
    private static partial Regex SnippetStart();

    [GeneratedRegex(@"^<!-- snippet: ([A-Za-z]+) -->$")]
    private static partial Regex DocMarker();
}
