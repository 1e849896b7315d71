namespace XmppUpload.Core.Ports;

/// <summary>A staged write into the blob store; disposing it without <see cref="CommitAsync"/> discards it.</summary>
public interface IBlobWriter : IAsyncDisposable
{
    long BytesWritten { get; }

    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Makes the bytes durable and visible under the key, replacing any earlier blob of that key.</summary>
    Task CommitAsync(CancellationToken cancellationToken);
}
