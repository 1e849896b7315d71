namespace XmppUpload.Storage.FileSystem;

/// <summary>
/// A read-only, forward-only window of a fixed number of bytes over a stream already positioned at the window's
/// start; it owns the inner stream. Like any stream it returns 0 at its end, including when the inner stream ends
/// early (a blob truncated on disk), so a caller that promised a length counts the bytes it got, as the GET handler does.
/// </summary>
internal sealed class RangeStream : Stream
{
    private readonly Stream _inner;
    private long _remaining;

    public RangeStream(Stream inner, long length)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _inner = inner;
        _remaining = length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        if (_remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        return Account(_inner.Read(buffer[..Window(buffer.Length)]));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0 || buffer.IsEmpty)
        {
            return ValueTask.FromResult(0);
        }

        if (_inner is FileStream { IsAsync: false })
        {
            // Linux has no asynchronous reads of regular files: an asynchronous FileStream read is a blocking read on
            // another thread-pool thread. A read served from the page cache costs less than that hop, so a file opened
            // for synchronous reads is read here, as static file servers do.
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Account(_inner.Read(buffer.Span[..Window(buffer.Length)])));
        }

        return ReadInnerAsync(buffer, cancellationToken);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask<int> ReadInnerAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        Account(await _inner.ReadAsync(buffer[..Window(buffer.Length)], cancellationToken));

    private int Window(int bufferLength) => (int)Math.Min(bufferLength, _remaining);

    private int Account(int read)
    {
        _remaining -= read;
        return read;
    }
}
