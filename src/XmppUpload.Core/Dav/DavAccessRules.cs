using XmppUpload.Core.Addressing;

namespace XmppUpload.Core.Dav;

/// <summary>
/// XEP-0129 sections 4 and 6: the creator's bare JID owns a resource and alone may change it; others may read it only
/// when its jidlist names them (a bare JID admits every resource of that account, a full JID only itself). Until a
/// jidlist is set, nobody but the owner reads. The root is shared: anyone may create top-level entries.
/// </summary>
public static class DavAccessRules
{
    public static bool IsOwner(DavResource resource, Jid jid)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(jid);
        return !resource.IsRoot && string.Equals(resource.Owner, jid.Bare.ToString(), StringComparison.Ordinal);
    }

    public static bool MayRead(DavResource resource, Jid jid)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(jid);
        if (resource.IsRoot || IsOwner(resource, jid))
        {
            return true;
        }

        return resource.JidList is { } list && list.Any(entry => IsListed(entry, jid));
    }

    /// <summary>Whether <paramref name="jid"/> may create a member of <paramref name="parent"/> (the root, or a collection it owns).</summary>
    public static bool MayCreateIn(DavResource parent, Jid jid)
    {
        ArgumentNullException.ThrowIfNull(parent);
        return parent.IsCollection && (parent.IsRoot || IsOwner(parent, jid));
    }

    /// <summary>A bare JID in the list covers every resource of that account; a full JID only itself (XEP-0129 section 4).</summary>
    public static bool IsListed(string entry, Jid jid)
    {
        ArgumentNullException.ThrowIfNull(jid);
        if (!Jid.TryParse(entry, out var listed))
        {
            return false;
        }

        return listed.IsBare ? listed == jid.Bare : listed == jid;
    }
}
