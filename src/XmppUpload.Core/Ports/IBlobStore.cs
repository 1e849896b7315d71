namespace XmppUpload.Core.Ports;

/// <summary>
/// Where file bytes live. Writes are staged and become readable only on <see cref="IBlobWriter.CommitAsync"/>; a
/// writer disposed without a commit leaves nothing behind.
/// </summary>
public interface IBlobStore
{
    Task<IBlobWriter> BeginWriteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Opens <paramref name="length"/> bytes from <paramref name="offset"/>, or <c>null</c> when the blob is absent.</summary>
    Task<Stream?> OpenReadAsync(string key, long offset, long length, CancellationToken cancellationToken);

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken);

    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Every committed blob, in no particular order; streamed, so a large store is never held in memory.</summary>
    IAsyncEnumerable<BlobListing> ListAsync(CancellationToken cancellationToken);

    /// <summary>Removes staged writes left by a crash; called at start, before uploads are accepted.</summary>
    Task<int> RemoveStagedAsync(CancellationToken cancellationToken);
}
