using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.AzureBlob;

/// <summary>
/// One staged write: the bytes gather in one pooled buffer of the block size, each full buffer goes out as a Put Block
/// (an uncommitted block, invisible to every read and list), and <see cref="CommitAsync"/> sends the rest and a Put
/// Block List, which makes the blob appear whole, at once. Memory per upload is one block, whatever the file's size.
/// Disposing without a commit sends nothing: the service discards uncommitted blocks by itself (on the next commit of
/// that name, or after a week).
/// </summary>
internal sealed class AzureBlobWriter : IBlobWriter
{
    // The service allows 50,000 blocks per blob; 4 MiB blocks make ~195 GiB.
    private const int MaxBlocks = 50_000;

    private readonly AzureBlobClient _client;
    private readonly string _key;
    private readonly int _blockSize;
    private readonly ILogger _logger;
    private readonly string _blockIdPrefix;
    private readonly List<string> _blockIds = [];
    private byte[]? _buffer;
    private int _filled;
    private bool _bufferMayBeInUse;
    private bool _committed;
    private bool _disposed;

    public AzureBlobWriter(AzureBlobClient client, string key, int blockSize, ILogger logger)
    {
        _client = client;
        _key = key;
        _blockSize = blockSize;
        _logger = logger;
        // Blocks are staged on the blob's own name, so two writers of one key must never reuse each other's ids:
        // a random prefix per writer. Every id of a blob must have the same length: 18 + 6 characters, always.
        _blockIdPrefix = RandomNumberGenerator.GetHexString(18, lowercase: true);
    }

    public long BytesWritten { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfFinished();
        cancellationToken.ThrowIfCancellationRequested();
        while (!data.IsEmpty)
        {
            _buffer ??= ArrayPool<byte>.Shared.Rent(_blockSize);
            var take = Math.Min(data.Length, _blockSize - _filled);
            data.Span[..take].CopyTo(_buffer.AsSpan(_filled));
            _filled += take;
            BytesWritten += take;
            data = data[take..];
            if (_filled == _blockSize)
            {
                await PutBlockAsync(cancellationToken);
            }
        }
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        ThrowIfFinished();
        if (_filled > 0)
        {
            await PutBlockAsync(cancellationToken);
        }

        await _client.PutBlockListAsync(_key, _blockIds, cancellationToken);
        _committed = true;
        ReturnBuffer();
    }

    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }

        _disposed = true;
        ReturnBuffer();
        if (!_committed && _blockIds.Count > 0)
        {
            AzureBlobLog.UploadAbandoned(_logger, _key, _blockIds.Count);
        }

        return ValueTask.CompletedTask;
    }

    private async Task PutBlockAsync(CancellationToken cancellationToken)
    {
        if (_blockIds.Count == MaxBlocks)
        {
            throw new InvalidOperationException(
                $"The blob would need more than {MaxBlocks} blocks of {_blockSize} bytes, the most Azure Blob Storage allows.");
        }

        var blockId = Convert.ToBase64String(Encoding.ASCII.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{_blockIdPrefix}{_blockIds.Count:D6}")));
        // Until the request has ended cleanly, the connection may still be reading the buffer (a cancelled send is
        // torn down in the background); such a buffer is left to the garbage collector, never given to another renter.
        _bufferMayBeInUse = true;
        await _client.PutBlockAsync(_key, blockId, _buffer.AsMemory(0, _filled), cancellationToken);
        _bufferMayBeInUse = false;
        _blockIds.Add(blockId);
        _filled = 0;
    }

    private void ReturnBuffer()
    {
        if (_buffer is not null && !_bufferMayBeInUse)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = null;
        _filled = 0;
    }

    private void ThrowIfFinished()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed)
        {
            throw new InvalidOperationException("The blob has been committed; a writer commits once.");
        }
    }
}
