using System.Diagnostics;
using System.Net.Sockets;

namespace MlToolkit.Tests.TestServers;

/// <summary>
/// A test server that is a Node.js program from npm (Azurite, s3rver): started from the first place that has it (the
/// <c>MLTOOLKIT_NODE_TOOLS</c> folder's <c>node_modules/.bin</c>, <c>~/.cache/mltoolkit-test-servers/node_modules/.bin</c>, or
/// the PATH) on a free port of 127.0.0.1, and killed at the end.
/// </summary>
public abstract class NodeServer : IAsyncLifetime
{
    public const string ToolsVariable = "MLTOOLKIT_NODE_TOOLS";

    private Process? _process;

    /// <summary>How to get the program, for the skip message.</summary>
    protected static string Install(string package) =>
        $"npm install --prefix ~/.cache/mltoolkit-test-servers {package} (or set {ToolsVariable} to a folder where it is installed)";

    /// <summary>Why there is no server, when there is none.</summary>
    public string Unavailable { get; protected set; } = string.Empty;

    /// <summary>Whether the server is up.</summary>
    public bool Available { get; protected set; }

    /// <summary>Skips the test (fails it in CI) when there is no server.</summary>
    public void Require()
    {
        if (!Available)
        {
            ExternalProcess.SkipOrFail(Unavailable);
        }
    }

    public abstract ValueTask InitializeAsync();

    public virtual ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The program's path, or <see langword="null"/> when no place has it.</summary>
    protected static string? Find(string program)
    {
        var folders = new List<string>();
        if (Environment.GetEnvironmentVariable(ToolsVariable) is { Length: > 0 } tools)
        {
            folders.Add(Path.Combine(tools, "node_modules", ".bin"));
        }

        folders.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mltoolkit-test-servers", "node_modules", ".bin"));
        folders.AddRange((Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries));
        return folders.Select(f => Path.Combine(f, program)).FirstOrDefault(File.Exists);
    }

    /// <summary>Starts <paramref name="program"/> and waits until <paramref name="port"/> accepts connections.</summary>
    protected async Task StartAsync(string program, IEnumerable<string> arguments, int port)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Path.GetFileName(program)} exited with code {_process.ExitCode} right after it started.");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"{Path.GetFileName(program)} did not listen on 127.0.0.1:{port} within 30 s.");
    }
}

/// <summary>
/// Azurite's blob service: the one <c>MLTOOLKIT_TEST_AZURITE</c> names (a connection string; <c>.ci/run</c> starts one),
/// or one started here (see <see cref="NodeServer"/>), in memory, with <c>--skipApiVersionCheck</c> for the latest SDK.
/// </summary>
public sealed class AzuriteServer : NodeServer
{
    public const string Variable = "MLTOOLKIT_TEST_AZURITE";

    /// <summary>Azurite's well-known development account key (public, in Azurite's documentation).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>The connection string.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    public override async ValueTask InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            ConnectionString = given;
            Available = true;
            return;
        }

        string? program = Find("azurite-blob");
        if (program is null)
        {
            Unavailable = $"Azure Blob tests need Azurite: {Install("azurite")}, or set {Variable} to a connection string.";
            return;
        }

        int port = ExternalProcess.FreePort();
        try
        {
            await StartAsync(program, ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--silent"], port);
            ConnectionString = For(port);
            Available = true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            Unavailable = $"Starting Azurite from {program} failed: {ex.Message}";
        }
    }

    /// <summary>The connection string of an Azurite blob service on <paramref name="port"/> of 127.0.0.1.</summary>
    public static string For(int port)
        => $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
}

/// <summary>
/// An S3 emulator (s3rver): the one <c>MLTOOLKIT_TEST_S3</c> names (its URL, with the bucket in
/// <c>MLTOOLKIT_TEST_S3_BUCKET</c>, default <c>mltk</c>), or one started here (see <see cref="NodeServer"/>) on a temporary
/// folder with the bucket configured.
/// </summary>
public sealed class S3Server : NodeServer
{
    public const string Variable = "MLTOOLKIT_TEST_S3";
    public const string BucketVariable = "MLTOOLKIT_TEST_S3_BUCKET";

    private string? _folder;

    /// <summary>The service URL.</summary>
    public string ServiceUrl { get; private set; } = string.Empty;

    /// <summary>The bucket.</summary>
    public string Bucket { get; private set; } = "mltk";

    /// <summary>A client for the emulator (its fixed keys, path-style addressing).</summary>
    public Amazon.S3.AmazonS3Client CreateClient()
    {
        Require();
        return new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials("S3RVER", "S3RVER"), new Amazon.S3.AmazonS3Config { ServiceURL = ServiceUrl, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
    }

    public override async ValueTask InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            ServiceUrl = given;
            Bucket = Environment.GetEnvironmentVariable(BucketVariable) is { Length: > 0 } bucket ? bucket : Bucket;
            Available = true;
            return;
        }

        string? program = Find("s3rver");
        if (program is null)
        {
            Unavailable = $"S3 tests need an S3 emulator: {Install("s3rver")}, or set {Variable} to an S3 URL.";
            return;
        }

        int port = ExternalProcess.FreePort();
        _folder = Path.Combine(Path.GetTempPath(), "mltk-s3-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_folder);
        try
        {
            await StartAsync(program, ["-d", _folder, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--configure-bucket", Bucket, "--no-vhost-buckets", "--silent"], port);
            ServiceUrl = $"http://127.0.0.1:{port}";
            Available = true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            Unavailable = $"Starting s3rver from {program} failed: {ex.Message}";
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_folder is not null && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteServer>
{
    public const string Name = "Azurite";
}

[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3Server>
{
    public const string Name = "S3";
}

/// <summary>PostgreSQL and Azurite together, for tests that need both (the sample that trains from one and publishes to the other).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresAndAzuriteCollection : ICollectionFixture<PostgresServer>, ICollectionFixture<AzuriteServer>
{
    public const string Name = "PostgreSQL and Azurite";
}
