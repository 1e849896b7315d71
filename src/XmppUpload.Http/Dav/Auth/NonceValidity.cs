namespace XmppUpload.Http.Dav.Auth;

/// <summary>What <see cref="DigestNonces.Check"/> found out about a nonce a client sent back.</summary>
internal enum NonceValidity
{
    /// <summary>Issued by this process and still fresh.</summary>
    Valid,

    /// <summary>Issued by this process but too old (or from a clock that has since moved back): RFC 7616 <c>stale=true</c>.</summary>
    Stale,

    /// <summary>Not issued by this process: malformed, forged, or from another node with another key.</summary>
    Invalid,
}
