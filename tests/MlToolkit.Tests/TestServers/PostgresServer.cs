using Npgsql;

namespace MlToolkit.Tests.TestServers;

/// <summary>
/// A PostgreSQL server for the tests: the one <c>MLTOOLKIT_TEST_POSTGRES</c> names (a connection string; <c>.ci/run</c>
/// starts one and sets it), or else one started here from the machine's Debian packages (<c>initdb</c> and <c>pg_ctl</c>
/// under <c>/usr/lib/postgresql/*/bin</c>, run as the <c>postgres</c> user when the tests run as root) on a free port of
/// 127.0.0.1 and a data folder under the temporary folder, stopped and deleted at the end. Without either, the tests that
/// need it are skipped with a message that says how to run them, or fail when <c>CI=true</c>.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string Variable = "MLTOOLKIT_TEST_POSTGRES";

    /// <summary>
    /// A role that must log in with a password (every other role is trusted): the first line of <c>pg_hba.conf</c> in the
    /// servers started here and by <c>.ci/run</c>, so that a test can see a real authentication failure.
    /// </summary>
    public const string PasswordRole = "mltk_password_auth";

    /// <summary>The <c>pg_hba.conf</c> line that makes <see cref="PasswordRole"/> log in with a password.</summary>
    public const string PasswordRule = $"host all {PasswordRole} 127.0.0.1/32 scram-sha-256";

    private string? _dataFolder;
    private string? _bin;

    /// <summary>The connection string, or <see langword="null"/> when no server could be had.</summary>
    public string? ConnectionString { get; private set; }

    /// <summary>Why there is no server, when there is none.</summary>
    public string Unavailable { get; private set; } = string.Empty;

    /// <summary>The connection string; skips the test (fails it in CI) when there is no server.</summary>
    public string Require()
    {
        if (ConnectionString is null)
        {
            ExternalProcess.SkipOrFail(Unavailable);
        }

        return ConnectionString!;
    }

    /// <summary>A pooled data source on the server.</summary>
    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(Require());

    /// <summary>Runs SQL on the server.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using NpgsqlDataSource source = CreateDataSource();
        await using NpgsqlCommand command = source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask InitializeAsync()
    {
        const string how = "PostgreSQL tests need a server: install PostgreSQL (apt-get install -y postgresql) so the tests start one, or set MLTOOLKIT_TEST_POSTGRES to a connection string such as Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres.";
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            ConnectionString = given;
            return;
        }

        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (_bin is null)
        {
            Unavailable = how;
            return;
        }

        try
        {
            int port = ExternalProcess.FreePort();
            _dataFolder = Path.Combine(Path.GetTempPath(), "mltk-pg-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(_dataFolder);
            bool root = Environment.UserName == "root";
            if (root)
            {
                await Run("chown", ["postgres:postgres", _dataFolder]);
            }

            await RunAs(root, Path.Combine(_bin, "initdb"), ["-D", _dataFolder, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]);
            string hba = Path.Combine(_dataFolder, "pg_hba.conf");
            await File.WriteAllTextAsync(hba, PasswordRule + "\n" + await File.ReadAllTextAsync(hba));
            await RunAs(root, Path.Combine(_bin, "pg_ctl"), ["-D", _dataFolder, "-l", Path.Combine(_dataFolder, "server.log"), "-w", "-t", "30", "-o", $"-c listen_addresses=127.0.0.1 -p {port} -k {_dataFolder}", "start"]);
            ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            Unavailable = $"{how} Starting one from {_bin} failed: {ex.Message}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_bin is not null && _dataFolder is not null)
        {
            if (ConnectionString is not null)
            {
                await RunAs(Environment.UserName == "root", Path.Combine(_bin, "pg_ctl"), ["-D", _dataFolder, "-m", "fast", "-w", "stop"], check: false);
            }

            try
            {
                Directory.Delete(_dataFolder, recursive: true);
            }
            catch (IOException)
            {
                // Left to the temporary folder's cleaning.
            }
            catch (UnauthorizedAccessException)
            {
                // Likewise.
            }
        }
    }

    private static Task RunAs(bool root, string program, string[] arguments, bool check = true)
        => root ? Run("runuser", ["-u", "postgres", "--", program, .. arguments], check) : Run(program, arguments, check);

    private static async Task Run(string program, string[] arguments, bool check = true)
    {
        (int code, string output) = await ExternalProcess.RunAsync(program, arguments, TimeSpan.FromSeconds(60));
        if (check && code != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited with {code}: {output.Trim()}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
