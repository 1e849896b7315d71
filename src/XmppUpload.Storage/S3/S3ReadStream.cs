using Amazon.S3.Model;

namespace XmppUpload.Storage.S3;

/// <summary>
/// The body of a ranged GetObject, read straight from the connection: exactly the requested number of bytes, read-only,
/// forward-only. Disposing it releases the response (and so the connection).
/// </summary>
internal sealed class S3ReadStream : Stream
{
    private readonly GetObjectResponse? _response;
    private readonly Stream _body;
    private long _remaining;

    public S3ReadStream(GetObjectResponse? response, Stream body, long length)
    {
        _response = response;
        _body = body;
        _remaining = length;
    }

    /// <summary>A stream of no bytes, for a zero-length range (which an HTTP Range header cannot express).</summary>
    public static S3ReadStream Empty() => new(null, Null, 0);

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

        var read = _body.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        return Advance(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        var read = await _body.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
        return Advance(read);
    }

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
            _body.Dispose();
            _response?.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Advance(int read)
    {
        if (read == 0)
        {
            // A connection cut mid-body must not look like a shorter blob to whoever serves it.
            throw new IOException($"The object store ended the body {_remaining} bytes early.");
        }

        _remaining -= read;
        return read;
    }
}
