namespace XmppUpload.Core.Dav;

/// <summary>
/// The WebDAV tree's metadata: resources, dead properties and jidlists. Every change is one atomic transaction
/// (subtrees included); bytes live in the blob store under keys the store only records.
/// </summary>
public interface IDavStore
{
    /// <summary>The resource at <paramref name="path"/>; the root is always there.</summary>
    Task<DavResource?> FindAsync(string path, CancellationToken cancellationToken);

    Task<IReadOnlyList<DavResource>> ListChildrenAsync(string path, CancellationToken cancellationToken);

    Task<IReadOnlyList<DavDeadProperty>> GetDeadPropertiesAsync(string path, CancellationToken cancellationToken);

    /// <summary>Sum of the sizes of the files <paramref name="owner"/> owns.</summary>
    Task<long> GetUsageAsync(string owner, CancellationToken cancellationToken);

    Task<DavChange> CreateCollectionAsync(string path, string owner, DateTimeOffset now, CancellationToken cancellationToken);

    Task<DavChange> PutFileAsync(DavPutRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes the resource and, for a collection, everything below it.</summary>
    Task<DavChange> DeleteAsync(string path, CancellationToken cancellationToken);

    Task<DavChange> CopyAsync(DavTransferRequest request, CancellationToken cancellationToken);

    Task<DavChange> MoveAsync(DavTransferRequest request, CancellationToken cancellationToken);

    /// <summary>Applies every update in order, or none; <c>false</c> when the resource is gone.</summary>
    Task<bool> PatchPropertiesAsync(string path, IReadOnlyList<DavPropertyUpdate> updates, CancellationToken cancellationToken);

    /// <summary>
    /// Removes every file the owner created, then the owner's collections left empty; collections that still hold
    /// other accounts' files stay. Returns the blob keys no longer named by any resource.
    /// </summary>
    Task<IReadOnlyList<string>> DeleteOwnedAsync(string owner, CancellationToken cancellationToken);
}
