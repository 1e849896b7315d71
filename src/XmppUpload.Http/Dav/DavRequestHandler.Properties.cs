using System.Globalization;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.Dav;

namespace XmppUpload.Http.Dav;

/// <summary>PROPFIND and PROPPATCH (RFC 4918 sections 9.1 and 9.2) with the live properties of this server.</summary>
internal sealed partial class DavRequestHandler
{
    private static readonly XName[] LiveNames =
    [
        DavXml.Dav + "creationdate", DavXml.Dav + "displayname", DavXml.Dav + "getcontentlength", DavXml.Dav + "getcontenttype",
        DavXml.Dav + "getetag", DavXml.Dav + "getlastmodified", DavXml.Dav + "resourcetype", DavXml.Dav + "supportedlock",
        DavXml.Dav + "lockdiscovery", DavXml.Dav + "owner",
    ];

    private static readonly XName JidListName = DavXml.JidList + "jidlist";

    private async Task PropFindAsync(HttpContext context, DavRequestPath path)
    {
        var cancellationToken = context.RequestAborted;
        var target = await store.FindAsync(path.Path, cancellationToken);
        var jid = await AuthenticateAsync(context, Decide(j => target is null || DavAccessRules.MayRead(target, j)));
        if (jid is null)
        {
            return;
        }

        // RFC 4918 section 9.1: no Depth means infinity, which this server refuses with the precondition of section 16.
        var depth = context.Request.Headers["Depth"].ToString().Trim();
        if (depth is not ("0" or "1"))
        {
            if (depth.Length == 0 || string.Equals(depth, "infinity", StringComparison.OrdinalIgnoreCase))
            {
                DavLog.Refused(logger, "PROPFIND", path.Path, StatusCodes.Status403Forbidden, "Depth: infinity");
                await DavMultiStatus.WriteErrorAsync(context, StatusCodes.Status403Forbidden, "propfind-finite-depth");
            }
            else
            {
                await RefuseAsync(context, path.Path, StatusCodes.Status400BadRequest, "Depth must be 0 or 1");
            }

            return;
        }

        var body = await DavXml.ReadAsync(context.Request, cancellationToken);
        if (body.Status != 0)
        {
            await RefuseAsync(context, path.Path, body.Status, body.Reason!);
            return;
        }

        if (!TryReadPropFind(body.Document, out var mode, out var names, out var reason))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status400BadRequest, reason);
            return;
        }

        target = await store.FindAsync(path.Path, cancellationToken);
        if (target is null)
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status404NotFound, "there is no resource at this path");
            return;
        }

        if (!DavAccessRules.MayRead(target, jid))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status403Forbidden, "only the owner and the JIDs of its jidlist may read this resource");
            return;
        }

        using var multiStatus = new DavMultiStatus();
        await WritePropertiesAsync(multiStatus, target, mode, names, cancellationToken);
        if (depth == "1" && target.IsCollection)
        {
            // Members the requester may not read are left out: their names are the owner's business.
            foreach (var child in await store.ListChildrenAsync(target.Path, cancellationToken))
            {
                if (DavAccessRules.MayRead(child, jid))
                {
                    await WritePropertiesAsync(multiStatus, child, mode, names, cancellationToken);
                }
            }
        }

        await multiStatus.SendAsync(context);
    }

    private static bool TryReadPropFind(XDocument? document, out PropFindMode mode, out List<XName> names, out string reason)
    {
        mode = PropFindMode.AllProp;
        names = [];
        reason = string.Empty;
        if (document is null)
        {
            return true;
        }

        var root = document.Root!;
        if (root.Name != DavXml.Dav + "propfind")
        {
            reason = "the body must be a DAV:propfind element";
            return false;
        }

        var choice = root.Elements().FirstOrDefault(e => e.Name.Namespace == DavXml.Dav && e.Name.LocalName is "allprop" or "propname" or "prop");
        if (choice is null)
        {
            reason = "DAV:propfind needs one of DAV:allprop, DAV:propname or DAV:prop";
            return false;
        }

        if (choice.Name.LocalName == "propname")
        {
            mode = PropFindMode.PropName;
        }
        else if (choice.Name.LocalName == "prop")
        {
            mode = PropFindMode.Prop;
            names = choice.Elements().Select(e => e.Name).Distinct().ToList();
        }
        else
        {
            // allprop with include (section 14.8): those are added to what allprop returns.
            names = root.Elements(DavXml.Dav + "include").Elements().Select(e => e.Name).Distinct().ToList();
        }

        return true;
    }

    private async Task WritePropertiesAsync(DavMultiStatus multiStatus, DavResource resource, PropFindMode mode, List<XName> names, CancellationToken cancellationToken)
    {
        var dead = resource.IsRoot ? [] : await store.GetDeadPropertiesAsync(resource.Path, cancellationToken);
        var writer = multiStatus.Writer;
        multiStatus.StartResponse(Href(resource));

        var found = new List<XName>();
        var missing = new List<XName>();
        if (mode == PropFindMode.Prop)
        {
            foreach (var name in names)
            {
                (HasLive(resource, name) || dead.Any(d => Matches(d, name)) ? found : missing).Add(name);
            }
        }
        else
        {
            found.AddRange(LiveNames.Where(n => HasLive(resource, n)));
            if (resource.JidList is not null)
            {
                found.Add(JidListName);
            }

            found.AddRange(dead.Select(d => XName.Get(d.Name, d.Namespace)).Where(n => !found.Contains(n)));
            foreach (var name in names.Where(n => !found.Contains(n)))
            {
                (HasLive(resource, name) || dead.Any(d => Matches(d, name)) ? found : missing).Add(name);
            }
        }

        multiStatus.StartPropStat();
        writer.WriteStartElement("prop", DavXml.DavNamespace);
        foreach (var name in found)
        {
            if (mode == PropFindMode.PropName)
            {
                writer.WriteStartElement(name.LocalName, name.NamespaceName);
                writer.WriteEndElement();
            }
            else if (HasLive(resource, name))
            {
                WriteLive(writer, resource, name);
            }
            else
            {
                // Kept as self-contained XML written by our own XmlWriter when it was set.
                writer.WriteRaw(dead.First(d => Matches(d, name)).Xml);
            }
        }

        writer.WriteEndElement();
        multiStatus.EndPropStat(StatusCodes.Status200OK);

        if (missing.Count > 0)
        {
            multiStatus.StartPropStat();
            writer.WriteStartElement("prop", DavXml.DavNamespace);
            foreach (var name in missing)
            {
                writer.WriteStartElement(name.LocalName, name.NamespaceName);
                writer.WriteEndElement();
            }

            writer.WriteEndElement();
            multiStatus.EndPropStat(StatusCodes.Status404NotFound);
        }

        multiStatus.EndResponse();
    }

    private static bool Matches(DavDeadProperty property, XName name) =>
        property.Name == name.LocalName && property.Namespace == name.NamespaceName;

    private static bool HasLive(DavResource resource, XName name)
    {
        if (name == JidListName)
        {
            return resource.JidList is not null;
        }

        if (name.Namespace != DavXml.Dav)
        {
            return false;
        }

        return name.LocalName switch
        {
            "getcontentlength" or "getcontenttype" => !resource.IsCollection,
            "owner" => !resource.IsRoot,
            "creationdate" or "displayname" or "getetag" or "getlastmodified" or "resourcetype" or "supportedlock" or "lockdiscovery" => true,
            _ => false,
        };
    }

    private static bool IsProtected(XName name) => name == JidListName ? false : LiveNames.Contains(name);

    private static void WriteLive(System.Xml.XmlWriter writer, DavResource resource, XName name)
    {
        if (name == JidListName)
        {
            writer.WriteStartElement("jidlist", DavXml.JidListNamespace);
            foreach (var jid in resource.JidList!)
            {
                writer.WriteElementString("jid", DavXml.JidListNamespace, jid);
            }

            writer.WriteEndElement();
            return;
        }

        writer.WriteStartElement(name.LocalName, DavXml.DavNamespace);
        switch (name.LocalName)
        {
            case "creationdate":
                writer.WriteString(resource.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                break;
            case "displayname":
                writer.WriteString(DavPaths.Name(resource.Path));
                break;
            case "getcontentlength":
                writer.WriteString(resource.Size.ToString(CultureInfo.InvariantCulture));
                break;
            case "getcontenttype":
                writer.WriteString(resource.ContentType ?? "application/octet-stream");
                break;
            case "getetag":
                writer.WriteString(Quoted(resource.ETag));
                break;
            case "getlastmodified":
                // RFC 4918 section 15.7: rfc1123-date, the same value as Last-Modified.
                writer.WriteString(resource.ModifiedAt.UtcDateTime.ToString("R", CultureInfo.InvariantCulture));
                break;
            case "resourcetype":
                if (resource.IsCollection)
                {
                    writer.WriteElementString("collection", DavXml.DavNamespace, string.Empty);
                }

                break;
            case "owner":
                writer.WriteString(resource.Owner);
                break;
            default:
                // supportedlock and lockdiscovery: empty, this is a class 1 server without locks.
                break;
        }

        writer.WriteEndElement();
    }

    private async Task PropPatchAsync(HttpContext context, DavRequestPath path)
    {
        var cancellationToken = context.RequestAborted;
        var target = await store.FindAsync(path.Path, cancellationToken);
        var jid = await AuthenticateAsync(context, Decide(j => target is null || DavAccessRules.IsOwner(target, j)));
        if (jid is null)
        {
            return;
        }

        var body = await DavXml.ReadAsync(context.Request, cancellationToken);
        if (body.Status != 0)
        {
            await RefuseAsync(context, path.Path, body.Status, body.Reason!);
            return;
        }

        var root = body.Document?.Root;
        if (root is null || root.Name != DavXml.Dav + "propertyupdate")
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status400BadRequest, "the body must be a DAV:propertyupdate element");
            return;
        }

        target = await store.FindAsync(path.Path, cancellationToken);
        if (target is null)
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status404NotFound, "there is no resource at this path");
            return;
        }

        if (!DavAccessRules.IsOwner(target, jid))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status403Forbidden, "only the owner may change properties (XEP-0129 section 4)");
            return;
        }

        // Section 9.2: instructions apply in document order, all or none.
        var updates = new List<DavPropertyUpdate>();
        var results = new List<(XName Name, int Status, string? Condition)>();
        foreach (var instruction in root.Elements().Where(e => e.Name.Namespace == DavXml.Dav && e.Name.LocalName is "set" or "remove"))
        {
            var isSet = instruction.Name.LocalName == "set";
            foreach (var property in instruction.Elements(DavXml.Dav + "prop").Elements())
            {
                var (update, status, condition) = Plan(property, isSet);
                results.Add((property.Name, status, condition));
                if (update is not null)
                {
                    updates.Add(update);
                }
            }
        }

        var failed = results.Any(r => r.Status != StatusCodes.Status200OK);
        if (!failed && !await store.PatchPropertiesAsync(path.Path, updates, CancellationToken.None))
        {
            await RefuseAsync(context, path.Path, StatusCodes.Status404NotFound, "the resource was removed meanwhile");
            return;
        }

        using var multiStatus = new DavMultiStatus();
        multiStatus.StartResponse(Href(target));
        var grouped = results
            .Select(r => (r.Name, Status: failed && r.Status == StatusCodes.Status200OK ? StatusCodes.Status424FailedDependency : r.Status, r.Condition))
            .GroupBy(r => (r.Status, r.Condition));
        foreach (var group in grouped)
        {
            multiStatus.StartPropStat();
            multiStatus.Writer.WriteStartElement("prop", DavXml.DavNamespace);
            foreach (var name in group.Select(g => g.Name).Distinct())
            {
                multiStatus.Writer.WriteStartElement(name.LocalName, name.NamespaceName);
                multiStatus.Writer.WriteEndElement();
            }

            multiStatus.Writer.WriteEndElement();
            multiStatus.EndPropStat(group.Key.Status, group.Key.Condition);
        }

        multiStatus.EndResponse();
        DavLog.Changed(logger, "PROPPATCH", path.Path, jid.ToString(), failed ? StatusCodes.Status424FailedDependency : StatusCodes.Status200OK);
        await multiStatus.SendAsync(context);
    }

    private static (DavPropertyUpdate? Update, int Status, string? Condition) Plan(XElement property, bool isSet)
    {
        var name = property.Name;
        if (IsProtected(name))
        {
            return (null, StatusCodes.Status403Forbidden, "cannot-modify-protected-property");
        }

        if (name == JidListName)
        {
            if (!isSet)
            {
                return (new DavPropertyUpdate { Kind = DavPropertyUpdateKind.RemoveJidList }, StatusCodes.Status200OK, null);
            }

            var jids = new List<string>();
            foreach (var element in property.Elements())
            {
                if (element.Name.LocalName != "jid" || !Jid.TryParse(element.Value.Trim(), out var listed))
                {
                    // Section 9.2.1: a value the server cannot accept is 409.
                    return (null, StatusCodes.Status409Conflict, null);
                }

                jids.Add(listed.ToString());
            }

            return (new DavPropertyUpdate { Kind = DavPropertyUpdateKind.SetJidList, Jids = jids }, StatusCodes.Status200OK, null);
        }

        return isSet
            ? (new DavPropertyUpdate { Kind = DavPropertyUpdateKind.SetDead, Namespace = name.NamespaceName, Name = name.LocalName, Xml = DavXml.Serialize(property) }, StatusCodes.Status200OK, null)
            : (new DavPropertyUpdate { Kind = DavPropertyUpdateKind.RemoveDead, Namespace = name.NamespaceName, Name = name.LocalName }, StatusCodes.Status200OK, null);
    }

    private enum PropFindMode
    {
        AllProp,
        PropName,
        Prop,
    }
}
