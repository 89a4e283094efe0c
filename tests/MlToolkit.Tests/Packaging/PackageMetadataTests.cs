using System.Xml.Linq;

namespace MlToolkit.Tests.Packaging;

/// <summary>Every package states what it is and tracks its public API (CI packs them all and checks the template's project).</summary>
public class PackageMetadataTests
{

    public static TheoryData<string> Packages() => ["MlToolkit", "MlToolkit.Azure", "MlToolkit.Aws", "MlToolkit.Onnx", "MlToolkit.Reporting", "MlToolkit.AspNetCore"];

    [Theory]
    [MemberData(nameof(Packages))]
    public void Project_Package_HasDescriptionReadmeAndTrackedPublicApi(string package)
    {
        string folder = Path.Combine(RepositoryPaths.Root(), "src", package);
        XDocument project = XDocument.Load(Path.Combine(folder, package + ".csproj"));
        string? Property(string name) => project.Descendants(name).FirstOrDefault()?.Value;

        Assert.Equal("true", Property("IsPackable"));
        Assert.True(Property("Description")?.Length > 80, $"{package} has no real description.");
        Assert.Equal("README.md", Property("PackageReadmeFile"));
        string[] api = File.ReadAllLines(Path.Combine(folder, "PublicAPI.Unshipped.txt"));
        Assert.Equal("#nullable enable", api[0]);
        Assert.True(api.Length > 5, $"{package} declares almost no public API.");
        Assert.True(File.Exists(Path.Combine(folder, "PublicAPI.Shipped.txt")));
    }

    [Fact]
    public void PublicApi_CorePipeline_IsDeclared()
    {
        string[] api = File.ReadAllLines(Path.Combine(RepositoryPaths.Root(), "src", "MlToolkit", "PublicAPI.Unshipped.txt"));

        Assert.Contains("MlToolkit.Pipeline.PipelineBuilder.Build() -> MlToolkit.Pipeline.TrainingPipeline!", api);
        Assert.Contains(api, l => l.StartsWith("static Microsoft.Extensions.DependencyInjection.MlToolkitServiceCollectionExtensions.AddMlToolkit(", StringComparison.Ordinal));
    }
}
