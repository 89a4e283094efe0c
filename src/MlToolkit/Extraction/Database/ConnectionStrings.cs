using System.Data.Common;

namespace MlToolkit.Extraction.Database;

/// <summary>Describes a connection string without its secrets, and removes its secrets from messages.</summary>
internal sealed class ConnectionStrings
{
    private static readonly string[] SecretKeys =
    [
        "password", "pwd", "passphrase", "token", "access token", "accesstoken", "account key", "accountkey", "key",
        "shared access signature", "sharedaccesssignature", "secret", "client secret", "ssl password", "sslpassword",
    ];

    private static readonly string[] HostKeys = ["host", "server", "data source", "datasource", "address", "addr", "network address", "filename"];

    private static readonly string[] PortKeys = ["port"];

    private static readonly string[] DatabaseKeys = ["database", "initial catalog", "db"];

    private readonly string[] _secrets;

    /// <summary>Reads <paramref name="connectionString"/> (it is not kept).</summary>
    public ConnectionStrings(string provider, string connectionString)
    {
        var secrets = new List<string>();
        string? host = null, port = null, database = null;
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            foreach (string key in builder.Keys)
            {
                string value = builder[key]?.ToString() ?? string.Empty;
                string k = key.ToLowerInvariant();
                if (SecretKeys.Contains(k) || k.Contains("password", StringComparison.Ordinal) || k.Contains("secret", StringComparison.Ordinal))
                {
                    if (value.Length > 0)
                    {
                        secrets.Add(value);
                    }
                }
                else if (HostKeys.Contains(k))
                {
                    host ??= value;
                }
                else if (PortKeys.Contains(k))
                {
                    port ??= value;
                }
                else if (DatabaseKeys.Contains(k))
                {
                    database ??= value;
                }
            }
        }
        catch (ArgumentException)
        {
            // Not a key=value string: the whole text is treated as secret.
        }

        if (connectionString.Length > 0)
        {
            secrets.Add(connectionString);
        }

        // Longest first, so that a secret that contains another is replaced whole.
        _secrets = [.. secrets.Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];
        string where = host is null ? "(no host)" : port is null ? host : $"{host}:{port}";
        Description = database is null ? $"{provider} {where}" : $"{provider} {where}/{database}";
    }

    /// <summary>The provider, host, port and database: what identifies the source in messages, never a secret.</summary>
    public string Description { get; }

    /// <summary><paramref name="text"/> with every secret of the connection string, and the string itself, replaced by <c>***</c>.</summary>
    public string Redact(string text)
    {
        foreach (string secret in _secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Whether <paramref name="text"/> holds a secret.</summary>
    public bool Leaks(string text) => _secrets.Any(s => text.Contains(s, StringComparison.Ordinal));
}
