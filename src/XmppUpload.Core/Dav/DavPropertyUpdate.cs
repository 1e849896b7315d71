namespace XmppUpload.Core.Dav;

/// <summary>One instruction of a PROPPATCH, applied in document order (RFC 4918 section 9.2).</summary>
public sealed record DavPropertyUpdate
{
    public required DavPropertyUpdateKind Kind { get; init; }

    public string Namespace { get; init; } = string.Empty;

    public string Name { get; init; } = string.Empty;

    /// <summary>The element to keep, for <see cref="DavPropertyUpdateKind.SetDead"/>.</summary>
    public string? Xml { get; init; }

    /// <summary>Normalised JIDs, for <see cref="DavPropertyUpdateKind.SetJidList"/>.</summary>
    public IReadOnlyList<string>? Jids { get; init; }
}
