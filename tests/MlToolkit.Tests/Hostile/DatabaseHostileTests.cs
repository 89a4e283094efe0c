using MlToolkit.Data;
using MlToolkit.Extraction;
using MlToolkit.Extraction.Database;
using MlToolkit.Tests.TestServers;
using Npgsql;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Hostile;

/// <summary>Secrets are removed from a database's messages, and only the secrets: the rest of the message stays readable.</summary>
public class ConnectionStringRedactionTests
{
    [Fact]
    public void Redact_ShortPassword_RemovesTheTokenButNotLettersOfWords()
    {
        var strings = new ConnectionStrings("Npgsql", "Host=db;Username=ml;Password=a");

        string redacted = strings.Redact("28P01: password authentication failed for user \"ml\" (Password=a; a)");

        Assert.Equal("28P01: password authentication failed for user \"ml\" (Password=***; ***)", redacted);
        Assert.False(strings.Leaks("password authentication failed"));
        Assert.True(strings.Leaks("the password was a."));
    }

    [Fact]
    public void Redact_LongPassword_RemovedEvenInsideAWord()
    {
        var strings = new ConnectionStrings("Npgsql", "Host=db;Password=S3cretPa55");

        Assert.Equal("x***y and ***", strings.Redact("xS3cretPa55y and S3cretPa55"));
        Assert.True(strings.Leaks("xS3cretPa55y"));
    }

    [Fact]
    public void Redact_PasswordWithPunctuationAtItsEdges_RemovedWherever()
    {
        var strings = new ConnectionStrings("Npgsql", "Host=db;Password='-x-'");

        Assert.Equal("a***b", strings.Redact("a-x-b"));
    }
}

/// <summary>A real authentication failure from PostgreSQL (see <see cref="PostgresServer.PasswordRole"/>).</summary>
[Collection(PostgresCollection.Name)]
public class PostgresAuthenticationHostileTests(PostgresServer server)
{
    [Fact]
    public async Task Extract_WrongOneLetterPassword_MessageIsReadableAndHasNoSecret()
    {
        await server.ExecuteAsync($"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PostgresServer.PasswordRole}') THEN
                CREATE ROLE {PostgresServer.PasswordRole} LOGIN PASSWORD 'the-right-one';
              END IF;
            END $$;
            """);
        var given = new NpgsqlConnectionStringBuilder(server.Require()) { Username = PostgresServer.PasswordRole, Password = "a", Pooling = false };
        await RequirePasswordRuleAsync(given.ConnectionString);
        var source = DatabaseDataSource.FromFactory(NpgsqlFactory.Instance, given.ConnectionString, new DatabaseSourceOptions { Query = "SELECT 1" });

        var ex = await Assert.ThrowsAsync<DataSourceException>(() => source.ExtractAsync(ExtractionContext.Standalone(), Ct));

        Assert.Contains("password authentication failed", ex.Message, StringComparison.Ordinal);
        Assert.Contains(PostgresServer.PasswordRole, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("***", ex.Message.Replace("Password=***", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    /// <summary>The server must refuse a wrong password for the role: true of the servers the tests and CI start.</summary>
    private static async Task RequirePasswordRuleAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(Ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
        {
            return;
        }

        ExternalProcess.SkipOrFail($"the server at {PostgresServer.Variable} trusts role {PostgresServer.PasswordRole}; add \"{PostgresServer.PasswordRule}\" as the first line of its pg_hba.conf to run this test");
    }
}
