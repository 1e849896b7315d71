namespace XmppUpload.Core.Dav;

/// <summary>
/// A file version whose bytes are already committed under <see cref="BlobKey"/>; the store records it if the
/// preconditions, ownership and the owner's quota still hold at that moment.
/// </summary>
public sealed record DavPutRequest
{
    public required string Path { get; init; }

    /// <summary>The requester's bare JID: owner of a new file, and must own a file it replaces.</summary>
    public required string Owner { get; init; }

    public required long Size { get; init; }

    public string? ContentType { get; init; }

    public required string BlobKey { get; init; }

    public required string ETag { get; init; }

    public required DateTimeOffset Now { get; init; }

    /// <summary><c>If-None-Match: *</c>: fail when the resource exists.</summary>
    public bool MustNotExist { get; init; }

    /// <summary><c>If-Match</c>: fail unless the resource exists (and, when not <c>*</c>, has one of these tags).</summary>
    public IReadOnlyList<string>? MatchETags { get; init; }

    public required long Quota { get; init; }

    public required long MaxFileSize { get; init; }
}
