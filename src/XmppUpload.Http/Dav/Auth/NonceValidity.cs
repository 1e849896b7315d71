namespace XmppUpload.Http.Dav.Auth;

/// <summary>What <see cref="DigestNonces.Check"/> found out about a nonce a client sent back.</summary>
internal enum NonceValidity
{
    /// <summary>Made with this deployment's key (by any of its nodes) and still fresh.</summary>
    Valid,

    /// <summary>Made with this deployment's key but too old (or from a clock that has since moved back): RFC 7616 <c>stale=true</c>.</summary>
    Stale,

    /// <summary>Not made with this deployment's key: malformed, forged, or from another deployment.</summary>
    Invalid,
}
