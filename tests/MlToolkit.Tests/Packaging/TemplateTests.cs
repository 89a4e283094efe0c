using System.Text.Json;
using System.Xml.Linq;

namespace MlToolkit.Tests.Packaging;

/// <summary>The dotnet new template's files (CI also packs, installs, creates, runs and tests it).</summary>
public class TemplateTests
{

    private static string Content => Path.Combine(RepositoryPaths.Root(), "templates", "MlToolkit.Templates", "content", "mltoolkit");

    [Fact]
    public void TemplateJson_DefaultPackageVersion_IsTheVersionThePackagesAreBuiltWith()
    {
        string version = XDocument.Load(Path.Combine(RepositoryPaths.Root(), "Directory.Build.props")).Descendants("Version").Single().Value;
        using JsonDocument template = JsonDocument.Parse(File.ReadAllText(Path.Combine(Content, ".template.config", "template.json")));

        Assert.Equal(version, template.RootElement.GetProperty("symbols").GetProperty("MlToolkitVersion").GetProperty("defaultValue").GetString());
        Assert.Equal("mltoolkit", template.RootElement.GetProperty("shortName").GetString());
        Assert.Equal("MlToolkitApp", template.RootElement.GetProperty("sourceName").GetString());
        Assert.Contains("Version=\"MLTOOLKIT_VERSION\"", File.ReadAllText(Path.Combine(Content, "MlToolkitApp.csproj")), StringComparison.Ordinal);
    }

    [Fact]
    public void Content_ConventionalFolders_ArePresentAndCommitted()
    {
        foreach (string path in (string[])["data/.gitkeep", "artifacts/.gitkeep", "src/Pipeline.cs", "src/Program.cs", "tests/MlToolkitApp.Tests/PipelineTests.cs", "README.md"])
        {
            Assert.True(File.Exists(Path.Combine(Content, path)), path);
        }
    }

    [Fact]
    public void Content_Solution_ListsTheAppAndItsTestsWithGuidsTheTemplateRenews()
    {
        string solution = File.ReadAllText(Path.Combine(Content, "MlToolkitApp.sln"));
        using JsonDocument template = JsonDocument.Parse(File.ReadAllText(Path.Combine(Content, ".template.config", "template.json")));
        string[] renewed = [.. template.RootElement.GetProperty("guids").EnumerateArray().Select(g => g.GetString()!)];

        // dotnet test at the project's root runs the tests through the solution.
        Assert.Contains("\"MlToolkitApp.csproj\"", solution, StringComparison.Ordinal);
        Assert.Contains("\"tests\\MlToolkitApp.Tests\\MlToolkitApp.Tests.csproj\"", solution, StringComparison.Ordinal);
        string[] projectGuids = [.. System.Text.RegularExpressions.Regex.Matches(solution, @"^Project\(""\{[^}]+\}""\) = [^\n]*""\{([0-9A-F-]+)\}""", System.Text.RegularExpressions.RegexOptions.Multiline).Select(m => m.Groups[1].Value)];
        Assert.Equal(3, projectGuids.Length);
        Assert.All(projectGuids, g => Assert.Contains(g, renewed));
    }

    [Fact]
    public void TemplateJson_LocalFeed_WritesANugetConfigOnlyWhenGiven()
    {
        using JsonDocument template = JsonDocument.Parse(File.ReadAllText(Path.Combine(Content, ".template.config", "template.json")));
        JsonElement modifier = template.RootElement.GetProperty("sources")[0].GetProperty("modifiers")[0];

        Assert.Equal("LOCAL_FEED_PATH", template.RootElement.GetProperty("symbols").GetProperty("LocalFeed").GetProperty("replaces").GetString());
        Assert.Equal("(!HasLocalFeed)", modifier.GetProperty("condition").GetString());
        Assert.Equal(["nuget.config"], modifier.GetProperty("exclude").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("value=\"LOCAL_FEED_PATH\"", File.ReadAllText(Path.Combine(Content, "nuget.config")), StringComparison.Ordinal);
    }
}
