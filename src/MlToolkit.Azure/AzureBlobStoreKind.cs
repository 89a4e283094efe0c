using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MlToolkit.Hosting;
using MlToolkit.Storage;

namespace MlToolkit.Azure;

/// <summary>
/// The <c>AzureBlob</c> kind of store for configuration: <c>ConnectionString</c> (a storage account connection string;
/// <c>UseDevelopmentStorage=true</c> for Azurite), or <c>ServiceUri</c> (<c>https://{account}.blob.core.windows.net</c>) with
/// the <see cref="TokenCredential"/> registered in the services, else <see cref="DefaultAzureCredential"/>; <c>Container</c>;
/// <c>Prefix</c>; <c>CreateContainer</c> (default <see langword="true"/>).
/// </summary>
internal sealed partial class AzureBlobStoreKind() : ArtifactStoreKind(KindName)
{
    internal const string KindName = "AzureBlob";

    private static readonly string[] Settings = ["Kind", "ConnectionString", "ServiceUri", "Container", "Prefix", "CreateContainer"];

    public override IReadOnlyList<string> Validate(IConfiguration settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var problems = new List<string>();
        foreach (IConfigurationSection unknown in settings.GetChildren().Where(c => !Settings.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
        {
            problems.Add($"'{unknown.Key}' is not a setting of an {KindName} store (its settings: {string.Join(", ", Settings.Skip(1))}).");
        }

        string? connectionString = Value(settings, "ConnectionString");
        string? serviceUri = Value(settings, "ServiceUri");
        if (connectionString is null && serviceUri is null)
        {
            problems.Add("set ConnectionString (a storage account connection string; UseDevelopmentStorage=true for Azurite) or ServiceUri (https://{account}.blob.core.windows.net, authenticated by Azure's default credential chain).");
        }
        else if (connectionString is not null && serviceUri is not null)
        {
            problems.Add("set ConnectionString or ServiceUri, not both.");
        }
        else if (connectionString is not null)
        {
            try
            {
                _ = new BlobServiceClient(connectionString);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                // The value and the parser's message are not shown: they may hold the account key.
                problems.Add("ConnectionString is not a valid Azure Storage connection string (its value is not shown); copy it again from the storage account's access keys, or use UseDevelopmentStorage=true for Azurite.");
            }
        }
        else if (!Uri.TryCreate(serviceUri, UriKind.Absolute, out Uri? uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            problems.Add("ServiceUri must be an absolute https URI such as https://{account}.blob.core.windows.net (Azure's credential chain sends its tokens over https only); for Azurite, or with an account key, set ConnectionString instead.");
        }
        else if (uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            problems.Add("ServiceUri has a query or user information (a SAS token?), which is not shown: give the account's URI alone; for a SAS, set ConnectionString to 'BlobEndpoint=…;SharedAccessSignature=…'.");
        }

        string? container = Value(settings, "Container");
        if (container is null)
        {
            problems.Add("Container is missing.");
        }
        else if (!ContainerName().IsMatch(container))
        {
            problems.Add($"Container '{container}' is not a valid container name: use 3 to 63 lowercase letters, digits and single hyphens, starting with a letter or a digit.");
        }

        if (Value(settings, "CreateContainer") is { } create && !bool.TryParse(create, out _))
        {
            problems.Add($"CreateContainer '{create}' is not true or false.");
        }

        if (Value(settings, "Prefix") is { } prefix && PrefixProblem(prefix) is { } problem)
        {
            problems.Add(problem);
        }

        return problems;
    }

    public override IArtifactStore Create(IConfiguration settings, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(services);
        string container = Value(settings, "Container")!;
        BlobContainerClient client = Value(settings, "ConnectionString") is { } connectionString
            ? new BlobContainerClient(connectionString, container)
            : new BlobContainerClient(new Uri($"{Value(settings, "ServiceUri")!.TrimEnd('/')}/{container}"), CredentialFor(services));
        bool createContainer = Value(settings, "CreateContainer") is not { } create || bool.Parse(create);
        return new AzureBlobArtifactStore(client, Value(settings, "Prefix"), createContainer);
    }

    /// <summary>The credential for a <c>ServiceUri</c> store: the one in the services, else Azure's default chain.</summary>
    internal static TokenCredential CredentialFor(IServiceProvider services)
        => services.GetService<TokenCredential>() ?? new DefaultAzureCredential();

    /// <summary>Why a configured prefix is not usable, or <see langword="null"/>.</summary>
    internal static string? PrefixProblem(string prefix)
    {
        try
        {
            ArtifactStoreBase.NormalizeKey(prefix.TrimEnd('/'));
            return null;
        }
        catch (ArtifactKeyException ex)
        {
            return $"Prefix '{prefix}' {ex.Reason}";
        }
    }

    private static string? Value(IConfiguration settings, string key) => string.IsNullOrWhiteSpace(settings[key]) ? null : settings[key]!.Trim();

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ContainerName();
}
