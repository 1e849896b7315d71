namespace XmppUpload.Core.HttpAuth;

/// <summary>What <see cref="IHttpAuthStateStore.TryUseNonceCountAsync"/> decided about one (nonce, nc) pair.</summary>
public enum NonceCountUse
{
    /// <summary>First use of this nc with this nonce.</summary>
    Fresh,

    /// <summary>This nc was already used with this nonce: a replay.</summary>
    Replayed,

    /// <summary>The nonce has been used too often; the client should take a new one (answered with <c>stale=true</c>).</summary>
    NonceExhausted,

    /// <summary>No room to remember another nonce, so a replay could not be detected; the request is refused.</summary>
    Full,
}
