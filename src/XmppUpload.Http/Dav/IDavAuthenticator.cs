using Microsoft.AspNetCore.Http;
using XmppUpload.Core.Addressing;

namespace XmppUpload.Http.Dav;

/// <summary>
/// Authenticates a WebDAV request by XEP-0070: reads Basic or Digest credentials (userid = JID, password or cnonce =
/// transaction id), asks <paramref name="decide"/> whether that JID may make the request at all (so nobody is prompted
/// for a request that would be refused anyway), then has the user confirm it over XMPP unless a confirmed credential is
/// still fresh. When it returns without a JID it has written the response (401 challenge or 403).
/// </summary>
public interface IDavAuthenticator
{
    ValueTask<DavAuthentication> AuthenticateAsync(HttpContext context, Func<Jid, DavAccess> decide, CancellationToken cancellationToken);
}
