using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using MlToolkit.Storage;

namespace MlToolkit.Aws;

/// <summary>
/// An <see cref="IArtifactStore"/> on an Amazon S3 bucket (or any S3-compatible service): one object per key, under an
/// optional prefix. Every write is a single <c>PutObject</c> (atomic: the object appears whole or not at all; up to S3's
/// 5 GB limit), sent with its length and without chunked signing, so that S3-compatible services store exactly the bytes
/// sent. Create-only writes send <c>If-None-Match: *</c> and conditional writes (<see cref="IConditionalArtifactStore"/>)
/// send <c>If-Match</c> with the object's ETag: S3 has honoured both since 2024.
/// </summary>
/// <remarks>
/// Some S3-compatible servers ignore the conditions (the s3rver emulator does): there, concurrent create-only writes and
/// concurrent alias moves are not protected, and the last write wins. A <see cref="Deployment.Registry.ModelRegistry"/>
/// probes its store for this before it first publishes or moves an alias, and refuses both on such a server with a
/// <see cref="Deployment.Registry.ConditionalWritesNotHonouredException"/> unless
/// <see cref="Deployment.Registry.ModelRegistryOptions.AllowStoreWithoutConditionalWrites"/> says a single process writes.
/// A content stream that cannot seek is first copied to a temporary file, because S3 needs the length up front.
/// </remarks>
public sealed class S3ArtifactStore : ArtifactStoreBase, IConditionalArtifactStore
{
    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _prefix;

    /// <summary>Creates the store.</summary>
    /// <param name="client">The S3 client (its credentials and region, or a <c>ServiceURL</c> with <c>ForcePathStyle</c> for an S3-compatible service).</param>
    /// <param name="bucket">The bucket, which must exist.</param>
    /// <param name="prefix">A folder-like prefix for every key (such as <c>ml/</c>), or <see langword="null"/> for none.</param>
    public S3ArtifactStore(IAmazonS3 client, string bucket, string? prefix = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        _bucket = bucket;
        _prefix = string.IsNullOrEmpty(prefix) ? string.Empty : NormalizeKey(prefix.TrimEnd('/')) + "/";
    }

    /// <summary>The bucket.</summary>
    public string Bucket => _bucket;

    /// <inheritdoc />
    protected override async Task<Stream> OpenReadCoreAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            GetObjectResponse response = await _client.GetObjectAsync(_bucket, _prefix + key, cancellationToken).ConfigureAwait(false);
            return new ResponseStream(response);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ArtifactNotFoundException(key, GetLocationCore(key));
        }
    }

    /// <inheritdoc />
    protected override async Task WriteCoreAsync(string key, Stream content, ArtifactWriteMode mode, CancellationToken cancellationToken)
    {
        try
        {
            await PutAsync(key, content, ifNoneMatch: mode == ArtifactWriteMode.CreateNew ? "*" : null, ifMatch: null, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (mode == ArtifactWriteMode.CreateNew && ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            throw new ArtifactExistsException(key, GetLocationCore(key));
        }
    }

    /// <inheritdoc />
    protected override async Task<bool> ExistsCoreAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await _client.GetObjectMetadataAsync(_bucket, _prefix + key, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <inheritdoc />
    protected override async Task<bool> DeleteCoreAsync(string key, CancellationToken cancellationToken)
    {
        // S3 answers a delete the same way whether or not the object existed.
        if (!await ExistsCoreAsync(key, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await _client.DeleteObjectAsync(_bucket, _prefix + key, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    protected override async IAsyncEnumerable<string> ListCoreAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // S3 lists keys in UTF-8 binary (ordinal) order, a page at a time.
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + prefix };
        do
        {
            ListObjectsV2Response page = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            foreach (S3Object item in page.S3Objects ?? [])
            {
                yield return item.Key[_prefix.Length..];
            }

            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);
    }

    /// <inheritdoc />
    protected override string GetLocationCore(string key) => $"s3://{_bucket}/{_prefix}{key}";

    /// <inheritdoc />
    public async Task<VersionedArtifact?> ReadVersionedAsync(string key, CancellationToken cancellationToken = default)
    {
        string normalized = NormalizeKey(key);
        try
        {
            using GetObjectResponse response = await _client.GetObjectAsync(_bucket, _prefix + normalized, cancellationToken).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            return new VersionedArtifact(buffer.ToArray(), response.ETag);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<string> WriteIfUnchangedAsync(string key, Stream content, string? expectedTag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        string normalized = NormalizeKey(key);
        try
        {
            return await PutAsync(normalized, content, ifNoneMatch: expectedTag is null ? "*" : null, ifMatch: expectedTag, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            throw new ArtifactChangedException(normalized, GetLocationCore(normalized), expectedTag, ex);
        }
    }

    private async Task<string> PutAsync(string key, Stream content, string? ifNoneMatch, string? ifMatch, CancellationToken cancellationToken)
    {
        string? spill = null;
        Stream body = content;
        try
        {
            if (!content.CanSeek)
            {
                spill = Path.Combine(Path.GetTempPath(), $"mltk-s3-{Guid.NewGuid():N}.tmp");
                body = new FileStream(spill, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
                await content.CopyToAsync(body, cancellationToken).ConfigureAwait(false);
                body.Position = 0;
            }

            var request = new PutObjectRequest
            {
                BucketName = _bucket,
                Key = _prefix + key,
                InputStream = body,
                AutoCloseStream = false,
                AutoResetStreamPosition = false,
                UseChunkEncoding = false,
            };
            if (ifNoneMatch is not null)
            {
                request.IfNoneMatch = ifNoneMatch;
            }

            if (ifMatch is not null)
            {
                request.IfMatch = ifMatch;
            }

            PutObjectResponse response = await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return response.ETag;
        }
        finally
        {
            if (spill is not null)
            {
                await body.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The object's content stream, which disposes the response with it.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => response.ContentLength;

        public override long Position
        {
            get => _inner.Position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => _inner.Read(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
