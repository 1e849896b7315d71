namespace XmppUpload.Core.Dav;

/// <summary>A COPY or MOVE (RFC 4918 sections 9.8 and 9.9) from <see cref="Source"/> to <see cref="Destination"/>.</summary>
public sealed record DavTransferRequest
{
    public required string Source { get; init; }

    public required string Destination { get; init; }

    /// <summary>The requester's bare JID: owner of copies; must own what an overwrite replaces.</summary>
    public required string Requester { get; init; }

    public required bool Overwrite { get; init; }

    /// <summary>For COPY of a collection: <c>false</c> is Depth 0 (the collection without members).</summary>
    public bool Recursive { get; init; } = true;

    public required DateTimeOffset Now { get; init; }

    public required long Quota { get; init; }
}
