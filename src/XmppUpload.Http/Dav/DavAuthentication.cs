using XmppUpload.Core.Addressing;

namespace XmppUpload.Http.Dav;

/// <summary>
/// The outcome of authenticating one WebDAV request: the JID it acts for, or a response already written
/// (401 with a challenge, 403 when refused or denied).
/// </summary>
public sealed record DavAuthentication(Jid? Jid)
{
    public static DavAuthentication ResponseWritten { get; } = new((Jid?)null);

    public bool IsAuthenticated => Jid is not null;
}
