namespace XmppUpload.Xmpp.HttpAuth;

/// <summary>
/// How the component verifies HTTP requests through XEP-0070. Not bound to configuration: the node sets these from
/// its WebDAV settings, for example
/// <c>services.Configure&lt;XmppHttpAuthOptions&gt;(o =&gt; o.AdvertiseFeatures = webDavEnabled)</c>.
/// </summary>
public sealed class XmppHttpAuthOptions
{
    public const int DefaultMaxPendingConfirmations = 10_000;

    /// <summary>
    /// Whether disco#info lists <c>http://jabber.org/protocol/http-auth</c> and
    /// <c>http://www.xmpp.org/extensions/xep-0129.html#ns</c> (XEP-0129 section 5); true only when the WebDAV endpoint
    /// is served. Off by default: the confirmer works either way, but clients must not be told of a WebDAV service
    /// that does not exist.
    /// </summary>
    public bool AdvertiseFeatures { get; set; }

    /// <summary>
    /// How many confirmations may wait for an answer at once, over all users; a request beyond this is answered
    /// <c>Unavailable</c> at once instead of holding more memory while the users are slow to answer.
    /// </summary>
    public int MaxPendingConfirmations { get; set; } = DefaultMaxPendingConfirmations;
}
