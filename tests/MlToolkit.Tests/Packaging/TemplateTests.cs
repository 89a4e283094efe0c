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
}
