using XmppUpload.Core.Ports;

namespace XmppUpload.Benchmarks.Micro;

/// <summary>A blob store that counts the bytes and keeps none, so the PUT benchmark can measure the copy loop alone.</summary>
internal sealed class DiscardingBlobStore : IBlobStore
{
    public Task<IBlobWriter> BeginWriteAsync(string key, CancellationToken cancellationToken) => Task.FromResult<IBlobWriter>(new Writer());

    public Task<Stream?> OpenReadAsync(string key, long offset, long length, CancellationToken cancellationToken) => Task.FromResult<Stream?>(null);

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => Task.FromResult(false);

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => Task.CompletedTask;

    public IAsyncEnumerable<BlobListing> ListAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<BlobListing>();

    public Task<int> RemoveStagedAsync(CancellationToken cancellationToken) => Task.FromResult(0);

    private sealed class Writer : IBlobWriter
    {
        public long BytesWritten { get; private set; }

        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            BytesWritten += data.Length;
            return ValueTask.CompletedTask;
        }

        public Task CommitAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
