using System.Buffers;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.S3;

/// <summary>
/// One staged write: bytes gather in a pooled buffer of at most one part; each full part is sent with UploadPart as
/// soon as more bytes follow it. Commit sends the rest and completes the upload (or, if the blob never filled a part,
/// stores it with one PutObject); dispose without commit aborts the upload, so S3 keeps none of its parts.
/// Not thread-safe: one request writes it.
/// </summary>
internal sealed class S3BlobWriter : IBlobWriter
{
    /// <summary>S3 numbers parts 1 to 10,000.</summary>
    private const int MaxParts = 10_000;

    /// <summary>First buffer; it doubles up to the part size, so a small blob never holds a whole part of memory.</summary>
    private const int InitialBufferSize = 64 * 1024;

    /// <summary>How long an abort may take once the request that wrote the upload has gone (its token may be cancelled).</summary>
    private static readonly TimeSpan AbortTimeout = TimeSpan.FromSeconds(30);

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _objectKey;
    private readonly int _partSize;
    private readonly ILogger _logger;
    private readonly List<PartETag> _parts = [];
    private byte[] _buffer = [];
    private int _buffered;
    private string? _uploadId;
    private bool _committed;
    private bool _faulted;
    private bool _disposed;

    public S3BlobWriter(IAmazonS3 client, string bucket, string objectKey, int partSize, ILogger logger)
    {
        _client = client;
        _bucket = bucket;
        _objectKey = objectKey;
        _partSize = partSize;
        _logger = logger;
    }

    public long BytesWritten { get; private set; }

    /// <summary>The id of the multipart upload, once the first part has been sent.</summary>
    internal string? UploadId => _uploadId;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfFinished();
        cancellationToken.ThrowIfCancellationRequested();
        while (!data.IsEmpty)
        {
            if (_buffered == _partSize)
            {
                // Sent only now that more bytes follow: the last part, however large, goes at commit, and a blob of
                // exactly one part is a PutObject.
                await RunAsync(UploadPartAsync, cancellationToken);
            }

            var count = Math.Min(data.Length, _partSize - _buffered);
            EnsureCapacity(_buffered + count);
            data.Span[..count].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += count;
            BytesWritten += count;
            data = data[count..];
        }
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        ThrowIfFinished();
        await RunAsync(CompleteAsync, cancellationToken);
        _committed = true;
        ReturnBuffer();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ReturnBuffer();
        if (_committed || _uploadId is null)
        {
            return;
        }

        // Not the request's token: an aborted request is exactly when the parts must go.
        using var timeout = new CancellationTokenSource(AbortTimeout);
        try
        {
            await _client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = _bucket, Key = _objectKey, UploadId = _uploadId },
                timeout.Token);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or OperationCanceledException)
        {
            // Not fatal for the request: RemoveStagedAsync or a lifecycle rule removes the parts later.
            S3Log.UploadNotAborted(_logger, _bucket, _objectKey, _uploadId, e);
        }
    }

    private async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_uploadId is null)
        {
            using var body = new MemoryStream(_buffer, 0, _buffered, writable: false);
            await _client.PutObjectAsync(
                new PutObjectRequest
                {
                    BucketName = _bucket,
                    Key = _objectKey,
                    InputStream = body,
                    AutoCloseStream = false,
                    ContentType = "application/octet-stream",
                    // aws-chunked framing is not understood by every S3-compatible service (s3rver, older gateways).
                    UseChunkEncoding = false,
                },
                cancellationToken);
            return;
        }

        if (_buffered > 0)
        {
            await UploadPartAsync(cancellationToken);
        }

        // S3 makes the object visible (replacing any earlier one) only now, atomically.
        await _client.CompleteMultipartUploadAsync(
            new CompleteMultipartUploadRequest { BucketName = _bucket, Key = _objectKey, UploadId = _uploadId, PartETags = _parts },
            cancellationToken);
    }

    private async Task UploadPartAsync(CancellationToken cancellationToken)
    {
        if (_parts.Count == MaxParts)
        {
            throw new InvalidOperationException(
                $"The blob exceeds S3's {MaxParts} parts of {_partSize} bytes; raise BlobStore:S3:PartSize or lower the maximum file size.");
        }

        _uploadId ??= (await _client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = _bucket, Key = _objectKey, ContentType = "application/octet-stream" },
            cancellationToken)).UploadId;

        var partNumber = _parts.Count + 1;
        // Seekable, so the SDK can retry the part after a transient failure.
        using var body = new MemoryStream(_buffer, 0, _buffered, writable: false);
        var response = await _client.UploadPartAsync(
            new UploadPartRequest
            {
                BucketName = _bucket,
                Key = _objectKey,
                UploadId = _uploadId,
                PartNumber = partNumber,
                InputStream = body,
                PartSize = _buffered,
                UseChunkEncoding = false,
            },
            cancellationToken);
        _parts.Add(new PartETag(partNumber, response.ETag));
        _buffered = 0;
    }

    /// <summary>Runs a step that talks to S3; if it fails, the writer cannot tell what S3 holds and takes no more bytes.</summary>
    private async Task RunAsync(Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        try
        {
            await step(cancellationToken);
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    private void EnsureCapacity(int needed)
    {
        if (_buffer.Length >= needed)
        {
            return;
        }

        var size = Math.Min(_partSize, Math.Max(needed, Math.Max(InitialBufferSize, _buffer.Length * 2)));
        var larger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _buffered).CopyTo(larger);
        ReturnBuffer();
        _buffer = larger;
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void ThrowIfFinished()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed)
        {
            throw new InvalidOperationException("The blob has been committed; a writer commits once.");
        }

        if (_faulted)
        {
            throw new InvalidOperationException("An earlier write or commit of this blob failed; dispose the writer and start over.");
        }
    }
}
