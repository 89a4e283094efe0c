using System.Collections.Concurrent;
using Amazon.S3;
using Amazon.S3.Model;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlToolkit.Aws;
using MlToolkit.Azure;
using MlToolkit.Deployment.Registry;
using MlToolkit.Hosting;
using MlToolkit.Storage;
using MlToolkit.Tests.Deployment.Registry;
using MlToolkit.Tests.TestServers;
using static MlToolkit.Tests.PipelineTestKit;

namespace MlToolkit.Tests.Hosting;

/// <summary>A host built from in-memory configuration, with its log lines collected.</summary>
internal static class CloudHost
{
    public static HostApplicationBuilder Builder(Dictionary<string, string?> settings, ConcurrentQueue<string>? logs = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new CollectingLoggerProvider(logs));
        }

        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    public static MemoryStream Bytes(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));

    public static async Task<string> ReadAsync(IArtifactStore store, string key)
    {
        Stream stream = await store.OpenReadAsync(key, Ct);
        await using (stream)
        {
            using var reader = new StreamReader(stream);
            return await reader.ReadToEndAsync(Ct);
        }
    }

    /// <summary>Keeps every log line, with its exception, so that a test can look for secrets in them.</summary>
    private sealed class CollectingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}

/// <summary>
/// Cloud stores defined in configuration (<c>Kind = AzureBlob</c> or <c>S3</c>): the checks made when the host starts, all
/// problems in one exception and no secret in any of them; and the credentials each kind picks.
/// </summary>
public class CloudStoresFromConfigurationTests
{
    private const string SecretKey = "Sup3rSecretKeyThatMustNeverBeShown";

    private static readonly string AccountKey = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("an-account-key-that-must-never-be-shown"));

    private static string ConnectionString => $"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={AccountKey};EndpointSuffix=core.windows.net";

    private static void AssertNoSecret(OptionsValidationException ex)
    {
        foreach (string secret in new[] { SecretKey, AccountKey, "AccountKey=", "sig=TopSecretSignature" })
        {
            Assert.DoesNotContain(secret, ex.Message, StringComparison.Ordinal);
            Assert.All(ex.Failures, f => Assert.DoesNotContain(secret, f, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task StartAsync_CloudKindsWhosePackagesWereNotAdded_OneExceptionSayingWhichPackageAndMethod()
    {
        HostApplicationBuilder builder = CloudHost.Builder(new()
        {
            ["MlToolkit:Stores:blob:Kind"] = "AzureBlob",
            ["MlToolkit:Stores:blob:ConnectionString"] = ConnectionString,
            ["MlToolkit:Stores:blob:Container"] = "models",
            ["MlToolkit:Stores:s3:Kind"] = "s3",
            ["MlToolkit:Stores:s3:Bucket"] = "models",
            ["MlToolkit:Stores:s3:AccessKey"] = "AKIDEXAMPLE",
            ["MlToolkit:Stores:s3:SecretKey"] = SecretKey,
            ["MlToolkit:Stores:gcs:Kind"] = "Gcs",
            ["MlToolkit:Registries:churn:Store"] = "blob",
        });
        builder.Services.AddMlToolkit(builder.Configuration.GetSection("MlToolkit"));
        using IHost host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        string[] expected =
            [
                "MlToolkit:Stores:blob: Kind 'AzureBlob' is made by the MlToolkit.Azure package, which was not added: reference MlToolkit.Azure and call ml.AddAzureBlobStores() in AddMlToolkit(configuration, ml => ml.AddAzureBlobStores()).",
                "MlToolkit:Stores:s3: Kind 's3' is made by the MlToolkit.Aws package, which was not added: reference MlToolkit.Aws and call ml.AddS3Stores() in AddMlToolkit(configuration, ml => ml.AddS3Stores()).",
                "MlToolkit:Stores:gcs: Kind 'Gcs' is not a kind of store (kinds: Local, AzureBlob (package MlToolkit.Azure, ml.AddAzureBlobStores()), S3 (package MlToolkit.Aws, ml.AddS3Stores())).",
            ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), ex.Failures.Order(StringComparer.Ordinal));
        AssertNoSecret(ex);
    }

    [Fact]
    public async Task StartAsync_UnknownKindWithThePackagesAdded_ListsTheKindsThatWereAdded()
    {
        HostApplicationBuilder builder = CloudHost.Builder(new() { ["MlToolkit:Stores:x:Kind"] = "AzureBlobs" });
        builder.Services.AddMlToolkit(builder.Configuration.GetSection("MlToolkit"), ml => ml.AddAzureBlobStores().AddS3Stores().AddAzureBlobStores());
        using IHost host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Equal(["MlToolkit:Stores:x: Kind 'AzureBlobs' is not a kind of store (kinds: Local, AzureBlob, S3)."], ex.Failures);
        Assert.Equal(2, host.Services.GetServices<ArtifactStoreKind>().Count()); // adding a kind twice adds it once
    }

    [Fact]
    public async Task StartAsync_BadCloudSettings_EveryProblemInOneExceptionAndNoSecret()
    {
        HostApplicationBuilder builder = CloudHost.Builder(new()
        {
            ["MlToolkit:Stores:both:Kind"] = "AzureBlob",
            ["MlToolkit:Stores:both:ConnectionString"] = ConnectionString,
            ["MlToolkit:Stores:both:ServiceUri"] = "https://acct.blob.core.windows.net",
            ["MlToolkit:Stores:both:Container"] = "Bad_Name",
            ["MlToolkit:Stores:both:Conatiner"] = "models",
            ["MlToolkit:Stores:plain:Kind"] = "AzureBlob",
            ["MlToolkit:Stores:plain:ServiceUri"] = "http://acct.blob.core.windows.net",
            ["MlToolkit:Stores:plain:CreateContainer"] = "yes",
            ["MlToolkit:Stores:sas:Kind"] = "AzureBlob",
            ["MlToolkit:Stores:sas:ServiceUri"] = "https://acct.blob.core.windows.net/?sv=2024-01-01&sig=TopSecretSignature",
            ["MlToolkit:Stores:sas:Prefix"] = "../up",
            ["MlToolkit:Stores:broken:Kind"] = "AzureBlob",
            ["MlToolkit:Stores:broken:ConnectionString"] = $"AccountName=acct;{SecretKey}",
            ["MlToolkit:Stores:broken:Container"] = "models",
            ["MlToolkit:Stores:s3:Kind"] = "S3",
            ["MlToolkit:Stores:s3:Bukket"] = "models",
            ["MlToolkit:Stores:s3:ServiceUrl"] = "ftp://127.0.0.1",
            ["MlToolkit:Stores:s3:ForcePathStyle"] = "yes",
            ["MlToolkit:Stores:s3:SecretKey"] = SecretKey,
            ["MlToolkit:Stores:s3b:Kind"] = "S3",
            ["MlToolkit:Stores:s3b:Bucket"] = "My_Bucket",
            ["MlToolkit:Stores:s3b:SessionToken"] = SecretKey,
            ["MlToolkit:Stores:folder:ConnectionString"] = "UseDevelopmentStorage=true",
        });
        builder.Services.AddMlToolkit(builder.Configuration.GetSection("MlToolkit"), ml => ml.AddAzureBlobStores().AddS3Stores());
        using IHost host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        string[] expected =
        [
            "MlToolkit:Stores:both: 'Conatiner' is not a setting of an AzureBlob store (its settings: ConnectionString, ServiceUri, Container, Prefix, CreateContainer).",
            "MlToolkit:Stores:both: set ConnectionString or ServiceUri, not both.",
            "MlToolkit:Stores:both: Container 'Bad_Name' is not a valid container name: use 3 to 63 lowercase letters, digits and single hyphens, starting with a letter or a digit.",
            "MlToolkit:Stores:plain: ServiceUri must be an absolute https URI such as https://{account}.blob.core.windows.net (Azure's credential chain sends its tokens over https only); for Azurite, or with an account key, set ConnectionString instead.",
            "MlToolkit:Stores:plain: Container is missing.",
            "MlToolkit:Stores:plain: CreateContainer 'yes' is not true or false.",
            "MlToolkit:Stores:sas: ServiceUri has a query or user information (a SAS token?), which is not shown: give the account's URI alone; for a SAS, set ConnectionString to 'BlobEndpoint=…;SharedAccessSignature=…'.",
            "MlToolkit:Stores:sas: Container is missing.",
            "MlToolkit:Stores:sas: Prefix '../up' has a '..' segment, which would leave the store: keys must stay inside the store. Use a relative key of '/'-separated segments that are not empty, '.' or '..', such as 'models/churn/model.zip'.",
            "MlToolkit:Stores:broken: ConnectionString is not a valid Azure Storage connection string (its value is not shown); copy it again from the storage account's access keys, or use UseDevelopmentStorage=true for Azurite.",
            "MlToolkit:Stores:s3: 'Bukket' is not a setting of an S3 store (its settings: Bucket, Prefix, ServiceUrl, Region, ForcePathStyle, AccessKey, SecretKey, SessionToken).",
            "MlToolkit:Stores:s3: Bucket is missing.",
            "MlToolkit:Stores:s3: ServiceUrl must be an absolute http or https URL, such as https://s3.example.com or http://127.0.0.1:9000 (it is not shown); leave it out for Amazon S3 itself.",
            "MlToolkit:Stores:s3: ForcePathStyle 'yes' is not true or false.",
            "MlToolkit:Stores:s3: SecretKey is set but AccessKey is not: set both, or neither for AWS's default credential chain (environment variables, profile, container or instance role).",
            "MlToolkit:Stores:s3b: Bucket 'My_Bucket' is not a valid bucket name: use 3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or a digit.",
            "MlToolkit:Stores:s3b: SessionToken is set without AccessKey and SecretKey: set all three, or none for AWS's default credential chain.",
            "MlToolkit:Stores:folder: Path is missing (Kind is Local, the default; for another kind of store set Kind, such as AzureBlob or S3).",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), ex.Failures.Order(StringComparer.Ordinal));
        AssertNoSecret(ex);
    }

    [Fact]
    public void GetRequiredKeyedService_KindWhosePackageWasNotAdded_ThrowsTheSameValidationException()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stores:s3:Kind"] = "S3",
            ["Stores:s3:Bucket"] = "models",
        }).Build();
        var services = new ServiceCollection();
        services.AddMlToolkit(configuration);
        using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<IArtifactStore>("s3"));

        Assert.Contains("MlToolkit:Stores:s3: Kind 'S3' is made by the MlToolkit.Aws package, which was not added", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void AddStoreKind_NamedLocal_IsRefused()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<ArgumentException>(() => services.AddMlToolkit(configure: ml => ml.AddStoreKind(new FolderKind("local"))));

        Assert.Contains("The store kind 'local' is built in", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddStoreKind_OwnKind_ValidatesAndMakesItsStoresFromTheirSection()
    {
        using TempFolder folder = TestData.TempFolder();
        HostApplicationBuilder builder = CloudHost.Builder(new()
        {
            ["MlToolkit:Stores:mine:Kind"] = "Folder",
            ["MlToolkit:Stores:mine:Root"] = folder.Path,
            ["MlToolkit:Registries:churn:Store"] = "mine",
        });
        builder.Services.AddMlToolkit(builder.Configuration.GetSection("MlToolkit"), ml => ml.AddStoreKind(new FolderKind("Folder")));
        using IHost host = builder.Build();
        await host.StartAsync(Ct);

        IArtifactStore store = host.Services.GetRequiredKeyedService<IArtifactStore>("mine");
        await store.WriteAsync("a.txt", CloudHost.Bytes("hello"), cancellationToken: Ct);

        Assert.Equal(Path.Combine(folder.Path, "a.txt"), Assert.IsType<LocalArtifactStore>(store).GetPath("a.txt"));
        Assert.Same(store, host.Services.GetRequiredKeyedService<ModelRegistry>("churn").Store);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task Registries_OptionsFromConfigurationAndCode_ReachTheRegistry()
    {
        using TempFolder folder = TestData.TempFolder();
        HostApplicationBuilder builder = CloudHost.Builder(new()
        {
            ["MlToolkit:Stores:local:Path"] = folder.Path,
            ["MlToolkit:Registries:fromConfiguration:Store"] = "local",
            ["MlToolkit:Registries:fromConfiguration:Options:AllowStoreWithoutConditionalWrites"] = "true",
            ["MlToolkit:Registries:strict:Store"] = "local",
        });
        builder.Services.AddMlToolkit(builder.Configuration.GetSection("MlToolkit"), ml => ml
            .AddRegistry("fromCode", "local", o => o.AllowStoreWithoutConditionalWrites = true));
        using IHost host = builder.Build();
        await host.StartAsync(Ct);

        Assert.True(host.Services.GetRequiredKeyedService<ModelRegistry>("fromConfiguration").Options.AllowStoreWithoutConditionalWrites);
        Assert.True(host.Services.GetRequiredKeyedService<ModelRegistry>("fromCode").Options.AllowStoreWithoutConditionalWrites);
        Assert.False(host.Services.GetRequiredKeyedService<ModelRegistry>("strict").Options.AllowStoreWithoutConditionalWrites);
        await host.StopAsync(Ct);
    }

    [Fact]
    public void AzureBlobStore_ServiceUriWithNoCredentialInTheServices_UsesAzuresDefaultCredentialChain()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stores:blob:Kind"] = "AzureBlob",
            ["Stores:blob:ServiceUri"] = "https://acct.blob.core.windows.net/",
            ["Stores:blob:Container"] = "models",
        }).Build();
        var services = new ServiceCollection();
        services.AddMlToolkit(configuration, ml => ml.AddAzureBlobStores());
        using ServiceProvider provider = services.BuildServiceProvider();

        var store = Assert.IsType<AzureBlobArtifactStore>(provider.GetRequiredKeyedService<IArtifactStore>("blob"));

        Assert.Equal(new Uri("https://acct.blob.core.windows.net/models"), store.Container.Uri);
        Assert.Equal("acct", store.Container.AccountName);
        Assert.IsType<DefaultAzureCredential>(AzureBlobStoreKind.CredentialFor(provider));
    }

    [Fact]
    public async Task AzureBlobStore_ServiceUriWithACredentialInTheServices_AsksThatCredentialForAStorageToken()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stores:blob:Kind"] = "AzureBlob",
            ["Stores:blob:ServiceUri"] = "https://127.0.0.1:9",
            ["Stores:blob:Container"] = "models",
        }).Build();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var credential = new RecordingCredential(cts);
        var services = new ServiceCollection();
        services.AddSingleton<TokenCredential>(credential);
        services.AddMlToolkit(configuration, ml => ml.AddAzureBlobStores());
        using ServiceProvider provider = services.BuildServiceProvider();
        IArtifactStore store = provider.GetRequiredKeyedService<IArtifactStore>("blob");

        // The request needs a token first; the credential cancels it once asked, so nothing waits on the closed port.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ExistsAsync("a.txt", cts.Token));

        Assert.Equal(["https://storage.azure.com/.default"], Assert.Single(credential.Scopes));
        Assert.Same(credential, AzureBlobStoreKind.CredentialFor(provider));
    }

    [Fact]
    public void S3Store_NoKeysInConfiguration_LeavesCredentialsToAwsDefaultChain()
    {
        IConfiguration withKeys = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AccessKey"] = "AKIDEXAMPLE", ["SecretKey"] = SecretKey }).Build();
        IConfiguration withToken = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AccessKey"] = "AKIDEXAMPLE", ["SecretKey"] = SecretKey, ["SessionToken"] = "token" }).Build();
        IConfiguration without = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Bucket"] = "models" }).Build();

        Assert.IsType<Amazon.Runtime.BasicAWSCredentials>(S3StoreKind.CredentialsFrom(withKeys));
        Assert.IsType<Amazon.Runtime.SessionAWSCredentials>(S3StoreKind.CredentialsFrom(withToken));
        Assert.Null(S3StoreKind.CredentialsFrom(without));
    }

    /// <summary>A credential that records the scopes it is asked for, then cancels the request.</summary>
    private sealed class RecordingCredential(CancellationTokenSource cancel) : TokenCredential
    {
        public ConcurrentQueue<string[]> Scopes { get; } = new();

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.Enqueue(requestContext.Scopes);
            cancel.Cancel();
            return new AccessToken("token", DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    /// <summary>A kind of one's own: a local folder named by <c>Root</c>.</summary>
    private sealed class FolderKind(string name) : ArtifactStoreKind(name)
    {
        public override IReadOnlyList<string> Validate(IConfiguration settings) => settings["Root"] is { Length: > 0 } ? [] : ["Root is missing."];

        public override IArtifactStore Create(IConfiguration settings, IServiceProvider services) => new LocalArtifactStore(settings["Root"]!);
    }
}

/// <summary>An Azure Blob store defined in configuration, on Azurite: real writes and reads, and a registry on it.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoresFromConfigurationTests(TrainedModelsFixture models, AzuriteServer azurite) : IClassFixture<TrainedModelsFixture>
{
    [Fact]
    public async Task AddMlToolkit_AzureBlobStoreInConfiguration_WritesReadsAndHoldsARegistry()
    {
        azurite.Require();
        string container = "cfg" + Guid.NewGuid().ToString("N")[..20];
        var logs = new ConcurrentQueue<string>();
        HostApplicationBuilder builder = CloudHost.Builder(
            new()
            {
                ["MlToolkit:Stores:blob:Kind"] = "AzureBlob",
                ["MlToolkit:Stores:blob:ConnectionString"] = azurite.ConnectionString,
                ["MlToolkit:Stores:blob:Container"] = container,
                ["MlToolkit:Stores:blob:Prefix"] = "ml/",
                ["MlToolkit:Registries:churn:Store"] = "blob",
            },
            logs);
        builder.Services.AddMlToolkit(builder.Configuration.GetSection("MlToolkit"), ml => ml.AddAzureBlobStores());
        using IHost host = builder.Build();
        await host.StartAsync(Ct);

        IArtifactStore store = host.Services.GetRequiredKeyedService<IArtifactStore>("blob");
        await store.WriteAsync("data/a.txt", CloudHost.Bytes("from configuration"), cancellationToken: Ct);
        ModelRegistry registry = host.Services.GetRequiredKeyedService<ModelRegistry>("churn");
        ModelManifest v1 = await registry.PublishAsync(models.ContextA, Ct);
        await registry.SetAliasAsync("production", v1.Version, cancellationToken: Ct);
        LoadedModel loaded = await registry.LoadAsync("production", Ct);
        await host.StopAsync(Ct);

        Assert.IsType<AzureBlobArtifactStore>(store);
        Assert.Equal("from configuration", await CloudHost.ReadAsync(store, "data/a.txt"));
        var direct = new BlobContainerClient(azurite.ConnectionString, container);
        Assert.True((await direct.GetBlobClient("ml/data/a.txt").ExistsAsync(Ct)).Value);
        Assert.True((await direct.GetBlobClient("ml/churn/aliases/production.json").ExistsAsync(Ct)).Value);
        Assert.Same(store, registry.Store);
        Assert.Equal(v1.Sha256, loaded.Manifest.Sha256);
        Assert.True((await registry.CheckStoreAsync(Ct)).CompareAndSwapHonoured);
        Assert.DoesNotContain(logs, l => l.Contains(AzuriteServer.AccountKey, StringComparison.Ordinal));
        Assert.DoesNotContain(AzuriteServer.AccountKey, store.GetLocation("data/a.txt"), StringComparison.Ordinal);
    }
}

/// <summary>An S3 store defined in configuration, on s3rver: real writes and reads, AWS's default chain, and the registry's refusal.</summary>
[Collection(S3Collection.Name)]
public sealed class S3StoresFromConfigurationTests(TrainedModelsFixture models, S3Server s3) : IClassFixture<TrainedModelsFixture>
{
    private Dictionary<string, string?> Settings(string prefix, bool keys = true)
    {
        var settings = new Dictionary<string, string?>
        {
            ["MlToolkit:Stores:s3:Kind"] = "S3",
            ["MlToolkit:Stores:s3:Bucket"] = s3.Bucket,
            ["MlToolkit:Stores:s3:Prefix"] = prefix,
            ["MlToolkit:Stores:s3:ServiceUrl"] = s3.ServiceUrl,
            ["MlToolkit:Stores:s3:Region"] = "us-east-1",
            ["MlToolkit:Stores:s3:ForcePathStyle"] = "true",
        };
        if (keys)
        {
            settings["MlToolkit:Stores:s3:AccessKey"] = "S3RVER";
            settings["MlToolkit:Stores:s3:SecretKey"] = "S3RVER";
        }

        return settings;
    }

    [Fact]
    public async Task AddMlToolkit_S3StoreInConfiguration_WritesAndReads()
    {
        s3.Require();
        string prefix = "cfg" + Guid.NewGuid().ToString("N")[..12];
        var logs = new ConcurrentQueue<string>();
        HostApplicationBuilder builder = CloudHost.Builder(Settings(prefix), logs);
        builder.Services.AddMlToolkit(builder.Configuration.GetSection("MlToolkit"), ml => ml.AddS3Stores());
        using IHost host = builder.Build();
        await host.StartAsync(Ct);

        IArtifactStore store = host.Services.GetRequiredKeyedService<IArtifactStore>("s3");
        await store.WriteAsync("data/a.txt", CloudHost.Bytes("from configuration"), cancellationToken: Ct);
        await host.StopAsync(Ct);

        Assert.Equal(s3.Bucket, Assert.IsType<S3ArtifactStore>(store).Bucket);
        Assert.Equal("from configuration", await CloudHost.ReadAsync(store, "data/a.txt"));
        using AmazonS3Client direct = s3.CreateClient();
        using GetObjectResponse stored = await direct.GetObjectAsync(s3.Bucket, $"{prefix}/data/a.txt", Ct);
        Assert.Equal("from configuration".Length, stored.ContentLength);
        Assert.Equal($"s3://{s3.Bucket}/{prefix}/data/a.txt", store.GetLocation("data/a.txt"));
        Assert.DoesNotContain(logs, l => l.Contains("S3RVER", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddMlToolkit_S3StoreWithoutKeys_TakesThemFromAwsDefaultCredentialChain()
    {
        s3.Require();
        string prefix = "env" + Guid.NewGuid().ToString("N")[..12];
        var services = new ServiceCollection();
        services.AddMlToolkit(new ConfigurationBuilder().AddInMemoryCollection(Settings(prefix, keys: false)).Build().GetSection("MlToolkit"), ml => ml.AddS3Stores());
        using ServiceProvider provider = services.BuildServiceProvider();
        string? accessKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
        string? secretKey = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
        try
        {
            // The first place AWS's default chain looks (no other test here reads these variables).
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "S3RVER");
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "S3RVER");
            IArtifactStore store = provider.GetRequiredKeyedService<IArtifactStore>("s3");

            await store.WriteAsync("a.txt", CloudHost.Bytes("by the default chain"), cancellationToken: Ct);

            Assert.Equal("by the default chain", await CloudHost.ReadAsync(store, "a.txt"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", accessKey);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", secretKey);
        }
    }

    [Fact]
    public async Task Registries_OnS3rverFromConfiguration_RefusedUnlessConfigurationOptsIn()
    {
        s3.Require();
        Dictionary<string, string?> settings = Settings("reg" + Guid.NewGuid().ToString("N")[..12]);
        settings["MlToolkit:Registries:strict:Store"] = "s3";
        settings["MlToolkit:Registries:single:Store"] = "s3";
        settings["MlToolkit:Registries:single:Options:AllowStoreWithoutConditionalWrites"] = "true";
        HostApplicationBuilder builder = CloudHost.Builder(settings);
        builder.Services.AddMlToolkit(builder.Configuration.GetSection("MlToolkit"), ml => ml.AddS3Stores());
        using IHost host = builder.Build();
        await host.StartAsync(Ct);

        var refused = await Assert.ThrowsAsync<ConditionalWritesNotHonouredException>(() => host.Services.GetRequiredKeyedService<ModelRegistry>("strict").PublishAsync(models.ContextA, Ct));
        ModelManifest published = await host.Services.GetRequiredKeyedService<ModelRegistry>("single").PublishAsync(models.ContextA, Ct);
        await host.StopAsync(Ct);

        Assert.Contains("Model 'strict' cannot publish on its store (S3ArtifactStore at s3://", refused.Message, StringComparison.Ordinal);
        Assert.False(refused.Probe.CreateOnlyHonoured);
        Assert.Equal(1, published.Version);
    }
}
