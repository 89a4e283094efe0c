using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using MlToolkit.Storage;

namespace MlToolkit.Azure;

/// <summary>
/// An <see cref="IArtifactStore"/> on an Azure Blob Storage container (or Azurite): one blob per key, under an optional
/// prefix. Writes are atomic (a blob becomes visible only when its upload is committed, whether in one request or in
/// blocks), create-only writes send <c>If-None-Match: *</c> so that of concurrent writers exactly one wins, and conditional
/// writes (<see cref="IConditionalArtifactStore"/>) send <c>If-Match</c> with the blob's ETag, so registry aliases never
/// lose a move.
/// </summary>
/// <remarks>
/// Authentication is the container client's: a connection string, a SAS URI or a <c>TokenCredential</c> such as
/// <c>DefaultAzureCredential</c>. <see cref="IArtifactStore.GetLocation"/> gives the blob URI without any SAS query.
/// </remarks>
public sealed class AzureBlobArtifactStore : ArtifactStoreBase, IConditionalArtifactStore
{
    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly bool _createContainer;
    private readonly string _baseUri;
    private int _containerReady;

    /// <summary>Creates the store.</summary>
    /// <param name="container">The container client.</param>
    /// <param name="prefix">A folder-like prefix for every key (such as <c>ml/</c>), or <see langword="null"/> for none.</param>
    /// <param name="createContainer">Whether the first write creates the container when it does not exist.</param>
    public AzureBlobArtifactStore(BlobContainerClient container, string? prefix = null, bool createContainer = true)
    {
        _container = container ?? throw new ArgumentNullException(nameof(container));
        _prefix = string.IsNullOrEmpty(prefix) ? string.Empty : NormalizeKey(prefix.TrimEnd('/')) + "/";
        _createContainer = createContainer;
        _baseUri = new UriBuilder(container.Uri) { Query = string.Empty }.Uri.ToString().TrimEnd('/');
    }

    /// <summary>Creates the store from a connection string (<c>UseDevelopmentStorage=true</c> for Azurite).</summary>
    /// <param name="connectionString">The storage account's connection string.</param>
    /// <param name="containerName">The container.</param>
    /// <param name="prefix">A prefix for every key, or <see langword="null"/>.</param>
    /// <returns>The store.</returns>
    public static AzureBlobArtifactStore FromConnectionString(string connectionString, string containerName, string? prefix = null)
        => new(new BlobContainerClient(connectionString, containerName), prefix);

    /// <summary>The container.</summary>
    public BlobContainerClient Container => _container;

    /// <inheritdoc />
    protected override async Task<Stream> OpenReadCoreAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            Response<BlobDownloadStreamingResult> response = await Blob(key).DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Value.Content;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new ArtifactNotFoundException(key, GetLocationCore(key));
        }
    }

    /// <inheritdoc />
    protected override async Task WriteCoreAsync(string key, Stream content, ArtifactWriteMode mode, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var options = new BlobUploadOptions
        {
            Conditions = mode == ArtifactWriteMode.CreateNew ? new BlobRequestConditions { IfNoneMatch = ETag.All } : null,
        };
        try
        {
            await Blob(key).UploadAsync(content, options, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (mode == ArtifactWriteMode.CreateNew && ex.Status is 409 or 412)
        {
            throw new ArtifactExistsException(key, GetLocationCore(key));
        }
    }

    /// <inheritdoc />
    protected override async Task<bool> ExistsCoreAsync(string key, CancellationToken cancellationToken)
        => (await Blob(key).ExistsAsync(cancellationToken).ConfigureAwait(false)).Value;

    /// <inheritdoc />
    protected override async Task<bool> DeleteCoreAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return (await Blob(key).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false; // the container itself is missing
        }
    }

    /// <inheritdoc />
    protected override async IAsyncEnumerable<string> ListCoreAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!(await _container.ExistsAsync(cancellationToken).ConfigureAwait(false)).Value)
        {
            yield break;
        }

        // The service lists names in lexicographic (ordinal) order.
        await foreach (BlobItem item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = _prefix + prefix }, cancellationToken).ConfigureAwait(false))
        {
            yield return item.Name[_prefix.Length..];
        }
    }

    /// <inheritdoc />
    protected override string GetLocationCore(string key) => $"{_baseUri}/{_prefix}{key}";

    /// <inheritdoc />
    public async Task<VersionedArtifact?> ReadVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        string normalized = NormalizeKey(key);
        try
        {
            Response<BlobDownloadResult> response = await Blob(normalized).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return new VersionedArtifact(response.Value.Content.ToArray(), response.Value.Details.ETag.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<string> WriteIfUnchangedAsync(string key, Stream content, string? expectedTag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        string normalized = NormalizeKey(key);
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var conditions = expectedTag is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = new ETag(expectedTag) };
        try
        {
            Response<BlobContentInfo> response = await Blob(normalized).UploadAsync(content, new BlobUploadOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
            return response.Value.ETag.ToString();
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            throw new ArtifactChangedException(normalized, GetLocationCore(normalized), expectedTag, ex);
        }
    }

    private BlobClient Blob(string key) => _container.GetBlobClient(_prefix + key);

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_createContainer && Volatile.Read(ref _containerReady) == 0)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _containerReady, 1);
        }
    }
}
