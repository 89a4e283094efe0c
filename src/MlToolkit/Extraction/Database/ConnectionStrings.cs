using System.Data.Common;
using System.Text;

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

    /// <summary>
    /// <paramref name="text"/> with every secret of the connection string, and the string itself, replaced by <c>***</c>.
    /// A short secret is replaced only where it stands as a whole token (not inside a word), so that a password such as
    /// <c>a</c> does not turn "password authentication failed" into "p***ssword ***uthentic***tion"; a secret of
    /// <see cref="LongSecret"/> characters or more is replaced wherever it occurs.
    /// </summary>
    public string Redact(string text)
    {
        foreach (string secret in _secrets)
        {
            text = Replace(text, secret);
        }

        return text;
    }

    /// <summary>Whether <paramref name="text"/> holds a secret, by the same rule as <see cref="Redact"/>.</summary>
    public bool Leaks(string text) => _secrets.Any(s => Occurrences(text, s).Any());

    /// <summary>From this length on, a secret is removed even from inside a longer word.</summary>
    internal const int LongSecret = 8;

    private static string Replace(string text, string secret)
    {
        var builder = new StringBuilder(text.Length);
        int from = 0;
        foreach (int at in Occurrences(text, secret))
        {
            builder.Append(text, from, at - from).Append("***");
            from = at + secret.Length;
        }

        return from == 0 ? text : builder.Append(text, from, text.Length - from).ToString();
    }

    /// <summary>Where <paramref name="secret"/> occurs in <paramref name="text"/> as a token (or anywhere, when it is long), left to right, without overlaps.</summary>
    private static IEnumerable<int> Occurrences(string text, string secret)
    {
        int at = text.IndexOf(secret, StringComparison.Ordinal);
        while (at >= 0)
        {
            int end = at + secret.Length;
            bool whole = secret.Length >= LongSecret
                || ((at == 0 || !IsWordChar(text[at - 1]) || !IsWordChar(secret[0]))
                    && (end == text.Length || !IsWordChar(text[end]) || !IsWordChar(secret[^1])));
            if (whole)
            {
                yield return at;
                at = text.IndexOf(secret, end, StringComparison.Ordinal);
            }
            else
            {
                at = text.IndexOf(secret, at + 1, StringComparison.Ordinal);
            }
        }
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
