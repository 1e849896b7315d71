namespace XmppUpload.Core.Dav;

/// <summary>
/// One WebDAV resource (XEP-0129): a file or a collection at a normalised path (<c>/a/b</c>, no trailing slash; the
/// root <c>/</c> is never stored). <see cref="Owner"/> is the bare JID that created it; <see cref="JidList"/> is
/// <c>null</c> until the owner sets one, and then names who may read it besides the owner.
/// </summary>
public sealed record DavResource
{
    public required string Path { get; init; }

    public required bool IsCollection { get; init; }

    /// <summary>The creator's bare JID; empty for the shared root.</summary>
    public required string Owner { get; init; }

    public long Size { get; init; }

    public string? ContentType { get; init; }

    /// <summary>Opaque entity tag, new for every version of the content (without quotes).</summary>
    public required string ETag { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ModifiedAt { get; init; }

    /// <summary>The blob that holds a file's bytes; <c>null</c> for collections.</summary>
    public string? BlobKey { get; init; }

    public IReadOnlyList<string>? JidList { get; init; }

    public bool IsRoot => Path == DavPaths.Root;

    /// <summary>The shared root collection: owned by nobody, anyone authenticated may create in it.</summary>
    public static DavResource RootCollection { get; } = new()
    {
        Path = DavPaths.Root,
        IsCollection = true,
        Owner = string.Empty,
        ETag = "root",
        CreatedAt = DateTimeOffset.UnixEpoch,
        ModifiedAt = DateTimeOffset.UnixEpoch,
    };
}
