using XmppUpload.Core.Ports;

namespace XmppUpload.Http.Tests.Support;

/// <summary>The real blob store, whose next writes can be made to fail as a full disk or a lost bucket would.</summary>
public sealed class FlakyBlobStore(IBlobStore inner) : IBlobStore
{
    private int _failingWrites;

    /// <summary>Makes the next <paramref name="count"/> writers throw an <see cref="IOException"/> on their first write.</summary>
    public void FailNextWrites(int count) => Volatile.Write(ref _failingWrites, count);

    public async Task<IBlobWriter> BeginWriteAsync(string key, CancellationToken cancellationToken)
    {
        var writer = await inner.BeginWriteAsync(key, cancellationToken);
        return Interlocked.Decrement(ref _failingWrites) >= 0 ? new FailingWriter(writer) : writer;
    }

    public Task<Stream?> OpenReadAsync(string key, long offset, long length, CancellationToken cancellationToken) =>
        inner.OpenReadAsync(key, offset, length, cancellationToken);

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => inner.ExistsAsync(key, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

    public IAsyncEnumerable<BlobListing> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public Task<int> RemoveStagedAsync(CancellationToken cancellationToken) => inner.RemoveStagedAsync(cancellationToken);

    private sealed class FailingWriter(IBlobWriter inner) : IBlobWriter
    {
        public long BytesWritten => inner.BytesWritten;

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            ValueTask.FromException(new IOException("No space left on device (simulated)."));

        public Task CommitAsync(CancellationToken cancellationToken) => inner.CommitAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
