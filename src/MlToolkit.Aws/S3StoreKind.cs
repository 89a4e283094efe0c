using System.Text.RegularExpressions;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Configuration;
using MlToolkit.Hosting;
using MlToolkit.Storage;

namespace MlToolkit.Aws;

/// <summary>
/// The <c>S3</c> kind of store for configuration: <c>Bucket</c>, <c>Prefix</c>, <c>ServiceUrl</c> (an S3-compatible
/// service), <c>Region</c>, <c>ForcePathStyle</c>, and <c>AccessKey</c> with <c>SecretKey</c> (and <c>SessionToken</c>),
/// or none of them for AWS's default credential chain.
/// </summary>
internal sealed partial class S3StoreKind() : ArtifactStoreKind(KindName)
{
    internal const string KindName = "S3";

    private static readonly string[] Settings = ["Kind", "Bucket", "Prefix", "ServiceUrl", "Region", "ForcePathStyle", "AccessKey", "SecretKey", "SessionToken"];

    public override IReadOnlyList<string> Validate(IConfiguration settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var problems = new List<string>();
        foreach (IConfigurationSection unknown in settings.GetChildren().Where(c => !Settings.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            problems.Add($"'{unknown.Key}' is not a setting of an {KindName} store (its settings: {string.Join(", ", Settings.Skip(1))}).");
        }

        string? bucket = Value(settings, "Bucket");
        if (bucket is null)
        {
            problems.Add("Bucket is missing.");
        }
        else if (!BucketName().IsMatch(bucket))
        {
            problems.Add($"Bucket '{bucket}' is not a valid bucket name: use 3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or a digit.");
        }

        if (Value(settings, "ServiceUrl") is { } serviceUrl)
        {
            if (!Uri.TryCreate(serviceUrl, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            {
                problems.Add("ServiceUrl must be an absolute http or https URL, such as https://s3.example.com or http://127.0.0.1:9000 (it is not shown); leave it out for Amazon S3 itself.");
            }
            else if (uri.Query.Length > 0 || uri.UserInfo.Length > 0)
            {
                problems.Add("ServiceUrl has a query or user information, which is not shown: give the service's URL alone, and the keys as AccessKey and SecretKey.");
            }
        }

        if (Value(settings, "ForcePathStyle") is { } pathStyle && !bool.TryParse(pathStyle, out _))
        {
            problems.Add($"ForcePathStyle '{pathStyle}' is not true or false.");
        }

        bool accessKey = Value(settings, "AccessKey") is not null;
        bool secretKey = Value(settings, "SecretKey") is not null;
        if (accessKey != secretKey)
        {
            problems.Add($"{(accessKey ? "AccessKey" : "SecretKey")} is set but {(accessKey ? "SecretKey" : "AccessKey")} is not: set both, or neither for AWS's default credential chain (environment variables, profile, container or instance role).");
        }
        else if (!accessKey && Value(settings, "SessionToken") is not null)
        {
            problems.Add("SessionToken is set without AccessKey and SecretKey: set all three, or none for AWS's default credential chain.");
        }

        if (Value(settings, "Prefix") is { } prefix)
        {
            try
            {
                ArtifactStoreBase.NormalizeKey(prefix.TrimEnd('/'));
            }
            catch (ArtifactKeyException ex)
            {
                problems.Add($"Prefix '{prefix}' {ex.Reason}");
            }
        }

        return problems;
    }

    public override IArtifactStore Create(IConfiguration settings, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = new AmazonS3Config { ForcePathStyle = Value(settings, "ForcePathStyle") is { } pathStyle && bool.Parse(pathStyle) };
        string? region = Value(settings, "Region");
        if (Value(settings, "ServiceUrl") is { } serviceUrl)
        {
            config.ServiceURL = serviceUrl;
            if (region is not null)
            {
                config.AuthenticationRegion = region;
            }
        }
        else if (region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        AmazonS3Client client = CredentialsFrom(settings) is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
        return new S3ArtifactStore(client, Value(settings, "Bucket")!, Value(settings, "Prefix"));
    }

    /// <summary>The keys that configuration gives, or <see langword="null"/> for AWS's default credential chain.</summary>
    internal static AWSCredentials? CredentialsFrom(IConfiguration settings)
    {
        if (Value(settings, "AccessKey") is not { } accessKey || Value(settings, "SecretKey") is not { } secretKey)
        {
            return null;
        }

        return Value(settings, "SessionToken") is { } token ? new SessionAWSCredentials(accessKey, secretKey, token) : new BasicAWSCredentials(accessKey, secretKey);
    }

    private static string? Value(IConfiguration settings, string key) => string.IsNullOrWhiteSpace(settings[key]) ? null : settings[key]!.Trim();

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")]
    private static partial Regex BucketName();
}
