using System.Collections.Concurrent;
using XmppUpload.Core.Ports;

namespace XmppUpload.Xmpp.Tests.Support;

/// <summary>
/// A blob store that only remembers which keys exist: the commands never read or write bytes, they ask AccountService,
/// which deletes blobs only when an account is purged.
/// </summary>
internal sealed class MemoryBlobStore : IBlobStore
{
    public ConcurrentDictionary<string, DateTimeOffset> Blobs { get; } = new(StringComparer.Ordinal);

    public Task<IBlobWriter> BeginWriteAsync(string key, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The command tests write no blobs.");

    public Task<Stream?> OpenReadAsync(string key, long offset, long length, CancellationToken cancellationToken) =>
        Task.FromResult<Stream?>(Blobs.ContainsKey(key) ? new MemoryStream() : null);

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => Task.FromResult(Blobs.ContainsKey(key));

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        Blobs.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<BlobListing> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var (key, modified) in Blobs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new BlobListing(key, modified);
        }

        await Task.CompletedTask;
    }

    public Task<int> RemoveStagedAsync(CancellationToken cancellationToken) => Task.FromResult(0);
}
