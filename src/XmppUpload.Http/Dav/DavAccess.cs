namespace XmppUpload.Http.Dav;

/// <summary>Whether a JID may make a WebDAV request, decided before anyone is asked to confirm it (XEP-0129 section 6).</summary>
public enum DavAccess
{
    Allowed,
    Forbidden,
}
