using System.Net;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.S3;

/// <summary>
/// Blobs as objects <c>{KeyPrefix}{key}</c> in one bucket of an S3-compatible service. A write is a multipart upload
/// (or, below one part, a single PutObject at commit), and S3 makes an object visible only when that upload completes,
/// so a reader sees a whole blob or none. Keys are slot ids: anything but 1 to 64 characters of <c>[a-z0-9]</c> is refused.
/// </summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    public const int MaxKeyLength = BlobKeys.MaxLength;


    private readonly IAmazonS3 _client;
    private readonly S3BlobStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public S3BlobStore(IOptions<S3BlobStoreOptions> options, ILogger<S3BlobStore> logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options.Value;
        _client = CreateClient(_options);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger;
    }

    /// <summary>The bucket holding the blobs.</summary>
    public string Bucket => _options.Bucket!;

    /// <summary>The client this store talks through (for health checks and tests).</summary>
    internal IAmazonS3 Client => _client;

    /// <summary>Entries per ListObjectsV2 and ListMultipartUploads request; S3's maximum unless a test pages sooner.</summary>
    internal int ListPageSize { get; init; } = 1000;

    public Task<IBlobWriter> BeginWriteAsync(string key, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        // Nothing is sent yet: the upload starts when the first part is full, so a small blob costs one request.
        return Task.FromResult<IBlobWriter>(new S3BlobWriter(_client, Bucket, objectKey, _options.PartSize, _logger));
    }

    public async Task<Stream?> OpenReadAsync(string key, long offset, long length, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKey(key);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > long.MaxValue - offset)
        {
            throw OutsideTheBlob(offset, length, size: null);
        }

        if (length == 0)
        {
            // "bytes=a-b" cannot name zero bytes: ask for the size instead.
            var size = await GetSizeAsync(objectKey, cancellationToken);
            if (size is null)
            {
                return null;
            }

            return offset <= size ? S3ReadStream.Empty() : throw OutsideTheBlob(offset, length, size);
        }

        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(
                new GetObjectRequest { BucketName = Bucket, Key = objectKey, ByteRange = new ByteRange(offset, offset + length - 1) },
                cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // Only when the range starts at or past the end; the blob exists.
            throw OutsideTheBlob(offset, length, size: null);
        }

        try
        {
            // Tolerant of a longer body than asked for (s3rver 3.7.1 answers "bytes=0-0" with the whole object): the
            // stream stops after length bytes. A shorter one means the range ran past the end, which S3 shortens
            // instead of refusing; the caller asked for exact bytes.
            var start = response.HttpStatusCode == HttpStatusCode.PartialContent ? RangeStart(response.ContentRange) : 0;
            if (start != offset)
            {
                throw new IOException($"The object store answered the range of {length} bytes from {offset} of {Bucket}/{objectKey} with '{response.ContentRange}'.");
            }

            if (response.ContentLength < length)
            {
                throw OutsideTheBlob(offset, length, TotalSize(response.ContentRange) ?? response.ContentLength);
            }

            // The object's size in Content-Range outranks Content-Length: s3rver 3.7.1 answers "bytes=0-0" of an empty
            // object with "Content-Range: bytes 0-0/0", "Content-Length: 1" and no body, a stream that would fail mid-read.
            if (TotalSize(response.ContentRange) is { } total && length > total - offset)
            {
                throw OutsideTheBlob(offset, length, total);
            }

            return new S3ReadStream(response, response.ResponseStream, length);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) =>
        await GetSizeAsync(ObjectKey(key), cancellationToken) is not null;

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var objectKey = ObjectKey(key);
        try
        {
            // S3 answers 204 whether or not the object existed.
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Bucket, Key = objectKey }, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // Some S3-compatible services answer 404 for a missing key: gone either way.
        }
    }

    /// <remarks>
    /// Pages through ListObjectsV2 under <see cref="S3BlobStoreOptions.KeyPrefix"/>, one page (up to 1000 objects) in
    /// memory at a time. Objects whose name is not a key under the prefix are skipped: <see cref="DeleteAsync"/> could
    /// not reach them by a key. Uploads in progress are not objects, so they are never listed.
    /// </remarks>
    public async IAsyncEnumerable<BlobListing> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = NullIfEmpty(_options.KeyPrefix), MaxKeys = ListPageSize };
        do
        {
            var page = await _client.ListObjectsV2Async(request, cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                cancellationToken.ThrowIfCancellationRequested();
                var key = item.Key.AsSpan(_options.KeyPrefix.Length);
                // No time, no listing: a caller that sweeps by age must never take it for an old blob.
                if (BlobKeys.IsValid(key) && item.LastModified is { } lastModified)
                {
                    yield return new BlobListing(key.ToString(), new DateTimeOffset(lastModified.ToUniversalTime(), TimeSpan.Zero));
                }
            }

            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);
    }

    /// <summary>
    /// Aborts the multipart uploads under <see cref="S3BlobStoreOptions.KeyPrefix"/> that were started more than
    /// <see cref="S3BlobStoreOptions.StagedUploadMaxAge"/> ago, and returns how many.
    /// </summary>
    /// <remarks>
    /// The bucket is shared by every node of a cluster, so "in progress" includes uploads other nodes are streaming right
    /// now; aborting those would fail their commits. Hence only uploads older than any upload can last are taken for
    /// leftovers of a crash. Some S3-compatible services (s3rver among them) cannot list multipart uploads; then this
    /// logs a warning and returns 0, and a bucket lifecycle rule with <c>AbortIncompleteMultipartUpload</c> is the way to
    /// clean up (advisable on AWS in any case).
    /// </remarks>
    public async Task<int> RemoveStagedAsync(CancellationToken cancellationToken)
    {
        var maxAge = _options.StagedUploadMaxAge;
        var startedBefore = _timeProvider.GetUtcNow() - maxAge;
        var request = new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = NullIfEmpty(_options.KeyPrefix), MaxUploads = ListPageSize };
        var aborted = 0;
        var kept = 0;
        while (true)
        {
            ListMultipartUploadsResponse page;
            try
            {
                page = await _client.ListMultipartUploadsAsync(request, cancellationToken);
            }
            catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotImplemented or HttpStatusCode.MethodNotAllowed)
            {
                S3Log.ListingUploadsUnsupported(_logger, Bucket, e.ErrorCode);
                return aborted;
            }

            foreach (var upload in page.MultipartUploads ?? [])
            {
                // An upload without a start time is not known to be old: leave it.
                if (upload.Initiated is not { } initiated || new DateTimeOffset(initiated.ToUniversalTime(), TimeSpan.Zero) >= startedBefore)
                {
                    kept++;
                    continue;
                }

                try
                {
                    await _client.AbortMultipartUploadAsync(
                        new AbortMultipartUploadRequest { BucketName = Bucket, Key = upload.Key, UploadId = upload.UploadId },
                        cancellationToken);
                    aborted++;
                }
                catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
                {
                    // NoSuchUpload: completed or aborted meanwhile, by its writer or another node's clean-up.
                }
            }

            if (page.IsTruncated != true)
            {
                break;
            }

            request.KeyMarker = page.NextKeyMarker;
            request.UploadIdMarker = page.NextUploadIdMarker;
        }

        if (aborted > 0)
        {
            S3Log.StaleUploadsAborted(_logger, aborted, Bucket, maxAge);
        }

        if (kept > 0)
        {
            S3Log.RecentUploadsKept(_logger, kept, Bucket, maxAge);
        }

        return aborted;
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The object key of <paramref name="key"/>, after checking that the key cannot name anything else.</summary>
    internal string ObjectKey(string key)
    {
        BlobKeys.Validate(key);
        return _options.KeyPrefix + key;
    }

    internal static IAmazonS3 CreateClient(S3BlobStoreOptions options)
    {
        var config = new AmazonS3Config();
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            // Signing needs a region even where the service has none; us-east-1 is what S3-compatible services expect.
            config.AuthenticationRegion = string.IsNullOrWhiteSpace(options.Region) ? "us-east-1" : options.Region;
        }
        else if (!string.IsNullOrWhiteSpace(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        config.ForcePathStyle = options.ForcePathStyle ?? !string.IsNullOrWhiteSpace(options.ServiceUrl);

        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    private async Task<long?> GetSizeAsync(string objectKey, CancellationToken cancellationToken)
    {
        try
        {
            var metadata = await _client.GetObjectMetadataAsync(
                new GetObjectMetadataRequest { BucketName = Bucket, Key = objectKey },
                cancellationToken);
            return metadata.ContentLength;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The first byte of a <c>Content-Range: bytes a-b/total</c> header, or -1 when it is not one.</summary>
    private static long RangeStart(string? contentRange)
    {
        const string Unit = "bytes ";
        if (contentRange is null || !contentRange.StartsWith(Unit, StringComparison.OrdinalIgnoreCase))
        {
            return -1;
        }

        var range = contentRange.AsSpan(Unit.Length);
        var dash = range.IndexOf('-');
        return dash > 0 && long.TryParse(range[..dash], out var start) ? start : -1;
    }

    /// <summary>The total of a <c>Content-Range: bytes a-b/total</c> header, when there is one.</summary>
    private static long? TotalSize(string? contentRange) =>
        contentRange is not null
        && contentRange.LastIndexOf('/') is var slash and >= 0
        && long.TryParse(contentRange.AsSpan(slash + 1), out var total)
            ? total
            : null;

    private static ArgumentOutOfRangeException OutsideTheBlob(long offset, long length, long? size) =>
        new(
            nameof(length),
            size is null
                ? $"The range of {length} bytes from {offset} lies outside the blob."
                : $"The range of {length} bytes from {offset} lies outside the blob of {size} bytes.");

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

}
