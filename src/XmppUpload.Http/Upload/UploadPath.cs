using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using XmppUpload.Core.Slots;

namespace XmppUpload.Http.Upload;

/// <summary>
/// The slot id and file name a request addresses, read from the raw request target. The file name is the decoded
/// form (RFC 3986 percent-decoding of the last segment, as UTF-8): that is the form <see cref="Slot.FileName"/>
/// holds and the PUT token signs. The raw target is used because ASP.NET Core's decoded path is ambiguous: it
/// decodes <c>%25</c> but leaves <c>%2F</c> encoded, so <c>a%252F</c> and <c>a%2F</c> would look alike.
/// </summary>
internal readonly record struct UploadPath(string SlotId, string FileName)
{
    /// <summary>
    /// False when the target has no well-formed slot id or no decodable name; such a request is answered 404
    /// without a ledger lookup.
    /// </summary>
    public static bool TryRead(HttpContext context, out UploadPath path)
    {
        path = default;
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            // Every server ASP.NET Core runs on (Kestrel, HTTP.sys, IIS, TestServer) sets the raw target; without
            // it the name cannot be read without ambiguity, so nothing is served.
            return false;
        }

        var target = raw.AsSpan();
        var query = target.IndexOf('?');
        if (query >= 0)
        {
            target = target[..query];
        }

        // Absolute form (RFC 9112 section 3.2.2), sent to proxies: drop scheme and authority.
        if (target.Length > 0 && target[0] != '/')
        {
            var authority = target.IndexOf("://", StringComparison.Ordinal);
            if (authority < 0)
            {
                return false;
            }

            target = target[(authority + 3)..];
            var pathStart = target.IndexOf('/');
            if (pathStart < 0)
            {
                return false;
            }

            target = target[pathStart..];
        }

        var lastSlash = target.LastIndexOf('/');
        if (lastSlash <= 0)
        {
            return false;
        }

        var rawName = target[(lastSlash + 1)..];
        var rest = target[..lastSlash];
        var rawId = rest[(rest.LastIndexOf('/') + 1)..];

        // The router matched the decoded, dot-segment-normalized path; insist that it saw the same id, so that a
        // target with dot segments or a trailing slash cannot address one slot through another's route.
        if (!SlotIds.IsWellFormed(rawId) || rawName.IsEmpty
            || !rawId.SequenceEqual(context.Request.RouteValues[UploadRequestHandler.SlotIdRouteValue] as string))
        {
            return false;
        }

        string name;
        try
        {
            name = Uri.UnescapeDataString(rawName);
        }
        catch (UriFormatException)
        {
            return false;
        }

        path = new UploadPath(rawId.ToString(), name);
        return true;
    }
}
