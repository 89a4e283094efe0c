using System.Collections.Immutable;
using System.Globalization;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace MlToolkit.Tests.Docs;

/// <summary>One <c>```csharp</c> block of a guide and the <c>&lt;!-- snippet: Name --&gt;</c> marker above it.</summary>
/// <param name="Name">The snippet's name.</param>
/// <param name="Lines">The code, as written (indentation kept).</param>
/// <param name="FirstLine">The 1-based line of the guide that holds the first line of code.</param>
internal sealed record GuideBlock(string Name, string[] Lines, int FirstLine);

/// <summary>
/// The code a reader pastes into one <c>Program.cs</c>: consecutive blocks of a guide, in the project its prose names
/// ("a console project", "a web project") with the packages it names (<c>dotnet add package …</c>).
/// </summary>
/// <param name="Guide">The guide's file name.</param>
/// <param name="Web">Whether the project is a web project (<c>dotnet new web</c>) rather than a console project.</param>
/// <param name="Packages">The packages the prose names, in order.</param>
/// <param name="Blocks">The blocks, in order.</param>
internal sealed record GuideProgram(string Guide, bool Web, IReadOnlyList<string> Packages, IReadOnlyList<GuideBlock> Blocks);

/// <summary>Reads the guides' code blocks and compiles them as a reader's project would.</summary>
internal static partial class GuideCode
{
    /// <summary>
    /// The global usings that <c>ImplicitUsings</c> (on in <c>dotnet new console</c> and <c>dotnet new web</c>) adds: the
    /// lists of the SDK's <c>Microsoft.NET.Sdk.CSharp.props</c> and <c>Microsoft.NET.Sdk.Web.ProjectSystem.props</c>.
    /// </summary>
    private static readonly string[] ConsoleUsings = ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private static readonly string[] WebUsings =
    [
        .. ConsoleUsings, "System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http",
        "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection",
        "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging",
    ];

    private static readonly Lazy<IReadOnlyList<(string Name, MetadataReference Reference)>> NetCoreApp = new(() => ReferencePack("Microsoft.NETCore.App.Ref"));

    private static readonly Lazy<IReadOnlyList<(string Name, MetadataReference Reference)>> AspNetCoreApp = new(() => ReferencePack("Microsoft.AspNetCore.App.Ref"));

    private static readonly Dictionary<string, MetadataReference> PackageAssemblies = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The guides' paths (<c>docs/1-store.md</c> to <c>docs/7-deploy.md</c>), in order.</summary>
    public static IEnumerable<string> Guides() =>
        Directory.GetFiles(Path.Combine(RepositoryPaths.Root(), "docs"), "*.md").Where(f => Path.GetFileName(f) != "README.md").Order(StringComparer.Ordinal);

    /// <summary>
    /// The programs of one guide: a <c>```csharp</c> block whose text since the block before names a project ("in a
    /// console project", "in a web project") starts a program, with the packages that text adds
    /// (<c>dotnet add package …</c>); the others continue the one before. Every such block must have a snippet marker.
    /// </summary>
    public static List<GuideProgram> Programs(string guidePath)
    {
        string guide = Path.GetFileName(guidePath);
        string[] lines = File.ReadAllText(guidePath).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var programs = new List<GuideProgram>();
        var prose = new StringBuilder();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
            {
                Assert.False(lines[i].Trim() is "```cs" or "```c#" or "```C#", $"{guide}({i + 1}): C# code is marked ```csharp in the guides, so that the tests find it.");
                prose.Append(lines[i]).Append('\n'); // the text a reader follows, shell blocks included ("dotnet add package …")
                continue;
            }

            Match marker = i > 0 ? SnippetMarker().Match(lines[i - 1].Trim()) : Match.Empty;
            Assert.True(marker.Success, $"{guide}({i + 1}): a ```csharp block without a <!-- snippet: Name --> line above it; every block is the code of a test.");
            int end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
            Assert.True(end > i, $"{guide}({i + 1}): the ```csharp block does not end.");
            var block = new GuideBlock(marker.Groups[1].Value, lines[(i + 1)..end], i + 2);

            string text = prose.ToString();
            bool console = ConsoleProject().IsMatch(text), web = WebProject().IsMatch(text);
            Assert.False(console && web, $"{guide}({i + 1}): the prose before snippet {block.Name} names both a console and a web project.");
            if (console || web)
            {
                programs.Add(new GuideProgram(guide, web, [.. AddPackage().Matches(text).Select(m => m.Groups[1].Value)], [block]));
            }
            else
            {
                Assert.True(programs.Count > 0, $"{guide}({i + 1}): the prose before the first code block must say in which project it runs (\"In a console project with `dotnet add package MlToolkit`\").");
                programs[^1] = programs[^1] with { Blocks = [.. programs[^1].Blocks, block] };
            }

            prose.Clear();
            i = end;
        }

        return programs;
    }

    /// <summary>
    /// Compiles the program's blocks, one after the other, as the <c>Program.cs</c> of its project: top-level statements,
    /// C# 14, nullable on, the implicit usings of <c>dotnet new</c>, the framework's reference assemblies and the
    /// assemblies of the named packages and of what they depend on, nothing else.
    /// </summary>
    /// <returns>The errors and warnings, each located in the guide (<c>7-deploy.md(14,1): error CS0103 …</c>).</returns>
    public static IReadOnlyList<string> Compile(GuideProgram program)
    {
        var source = new StringBuilder();
        foreach (GuideBlock block in program.Blocks)
        {
            source.Append(CultureInfo.InvariantCulture, $"#line {block.FirstLine} \"{program.Guide}\"\n");
            foreach (string line in block.Lines)
            {
                source.Append(line).Append('\n');
            }
        }

        var parse = new CSharpParseOptions(LanguageVersion.CSharp14);
        string globalUsings = string.Concat((program.Web ? WebUsings : ConsoleUsings).Select(u => $"global using global::{u};\n"));
        SyntaxTree code = CSharpSyntaxTree.ParseText(source.ToString(), parse, path: program.Guide);
        SyntaxTree implicitUsings = CSharpSyntaxTree.ParseText(globalUsings, parse, path: "GlobalUsings.g.cs");

        // As the SDK resolves a conflict between a package's assembly and the framework's, the framework's is kept.
        List<(string Name, MetadataReference Reference)> framework = [.. NetCoreApp.Value, .. program.Web ? AspNetCoreApp.Value : []];
        var frameworkNames = new HashSet<string>(framework.Select(f => f.Name), StringComparer.OrdinalIgnoreCase);
        var compilation = CSharpCompilation.Create(
            Path.GetFileNameWithoutExtension(program.Guide),
            [code, implicitUsings],
            [.. framework.Select(f => f.Reference), .. program.Packages.SelectMany(p => PackageClosure(p, frameworkNames)).Distinct()],
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999));

        using var peStream = new MemoryStream();
        ImmutableArray<Diagnostic> diagnostics = compilation.Emit(peStream).Diagnostics;
        return
        [
            .. diagnostics
                .Where(d => d.Severity >= DiagnosticSeverity.Warning || (d.Id == "CS8019" && d.Location.SourceTree == code)) // CS8019, hidden: a using the guide does not need
                .Select(Format),
        ];
    }

    /// <summary>
    /// The first statement of the code before and after a tested region that a test could not be running: before it,
    /// only using directives and definitions of variables (<c>string csvPath = "data/customers.csv";</c>), with no
    /// <c>await</c> in them; after it, only a host's <c>app.Run();</c>.
    /// </summary>
    /// <returns>The statement, or <see langword="null"/> when there is none.</returns>
    public static string? UntestedCode(string before, string after)
    {
        var parse = new CSharpParseOptions(LanguageVersion.CSharp14);
        CompilationUnitSyntax prelude = CSharpSyntaxTree.ParseText(before, parse).GetCompilationUnitRoot();
        CompilationUnitSyntax epilogue = CSharpSyntaxTree.ParseText(after, parse).GetCompilationUnitRoot();
        IEnumerable<SyntaxNode> untested =
        [
            .. prelude.Members.Where(m => m is not GlobalStatementSyntax { Statement: LocalDeclarationStatementSyntax { AwaitKeyword.RawKind: 0 } } || m.DescendantNodes().OfType<AwaitExpressionSyntax>().Any()),
            .. prelude.AttributeLists, .. prelude.Externs,
            .. epilogue.Usings, .. epilogue.AttributeLists, .. epilogue.Externs,
            .. epilogue.Members.Where(m => m is not GlobalStatementSyntax
            {
                Statement: ExpressionStatementSyntax { Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Run" }, ArgumentList.Arguments.Count: 0 } },
            }),
        ];
        return untested.Select(n => n.ToString()).FirstOrDefault();
    }

    private static string Format(Diagnostic diagnostic)
    {
        FileLinePositionSpan where = diagnostic.Location.GetMappedLineSpan();
        string kind = diagnostic.Id == "CS8019" ? "unnecessary using" : diagnostic.Severity.ToString().ToLowerInvariant();
        return $"{where.Path}({where.StartLinePosition.Line + 1},{where.StartLinePosition.Character + 1}): {kind} {diagnostic.Id}: {diagnostic.GetMessage(CultureInfo.InvariantCulture)}";
    }

    /// <summary>The reference assemblies of a targeting pack of the SDK that runs the tests, for the runtime's major version.</summary>
    private static IReadOnlyList<(string Name, MetadataReference Reference)> ReferencePack(string pack)
    {
        // <dotnet>/shared/Microsoft.NETCore.App/<version>/ → <dotnet>/packs/<pack>/<version>/ref/net<major>.0/
        string dotnet = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        string tfm = $"net{Environment.Version.Major}.0";
        string? folder = Directory.Exists(Path.Combine(dotnet, "packs", pack))
            ? Directory.GetDirectories(Path.Combine(dotnet, "packs", pack))
                .Select(d => Path.Combine(d, "ref", tfm))
                .Where(Directory.Exists)
                .OrderByDescending(d => Version.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(d))), out Version? v) ? v : new Version())
                .FirstOrDefault()
            : null;
        Assert.True(folder is not null, $"No {pack} targeting pack for {tfm} under {Path.Combine(dotnet, "packs")}: the guides' code is compiled against the SDK's reference assemblies.");
        return [.. Directory.GetFiles(folder, "*.dll").Select(f => (Path.GetFileNameWithoutExtension(f), (MetadataReference)MetadataReference.CreateFromFile(f)))];
    }

    /// <summary>
    /// The assembly of a package (its id is its assembly's name) and every assembly it references that the test's output
    /// folder holds, transitively: what <c>dotnet add package</c> gives a project, less the framework.
    /// </summary>
    private static IEnumerable<MetadataReference> PackageClosure(string package, HashSet<string> framework)
    {
        string bin = AppContext.BaseDirectory;
        Assert.True(File.Exists(Path.Combine(bin, package + ".dll")), $"The guides name package {package}, whose assembly {package}.dll the tests do not reference.");
        lock (PackageAssemblies)
        {
            var found = new List<MetadataReference>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var pending = new Queue<string>([package]);
            while (pending.TryDequeue(out string? name))
            {
                if (!seen.Add(name) || framework.Contains(name))
                {
                    continue; // the framework's assemblies come from the targeting packs
                }

                // The tests reference ASP.NET Core's shared framework, so the build left out the packages it holds
                // (Microsoft.Extensions.Logging.Abstractions, say): a console project gets them as packages, and the
                // targeting pack has the same assemblies.
                string file = Path.Combine(bin, name + ".dll");
                if (!File.Exists(file))
                {
                    if (AspNetCoreApp.Value.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase)) is { Reference: { } shared })
                    {
                        found.Add(shared);
                    }

                    continue;
                }

                if (!PackageAssemblies.TryGetValue(name, out MetadataReference? reference))
                {
                    reference = MetadataReference.CreateFromFile(file);
                    PackageAssemblies[name] = reference;
                }

                found.Add(reference);
                using var pe = new PEReader(File.OpenRead(file));
                MetadataReader metadata = pe.GetMetadataReader();
                foreach (AssemblyReferenceHandle handle in metadata.AssemblyReferences)
                {
                    pending.Enqueue(metadata.GetString(metadata.GetAssemblyReference(handle).Name));
                }
            }

            return found;
        }
    }

    [GeneratedRegex(@"^<!-- snippet: ([A-Za-z]+) -->$")]
    private static partial Regex SnippetMarker();

    [GeneratedRegex(@"\bconsole\s+project\b")]
    private static partial Regex ConsoleProject();

    [GeneratedRegex(@"\bweb\s+project\b")]
    private static partial Regex WebProject();

    [GeneratedRegex(@"dotnet\s+add\s+package\s+([A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*)")]
    private static partial Regex AddPackage();
}
