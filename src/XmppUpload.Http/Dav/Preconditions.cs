using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;

namespace XmppUpload.Http.Dav;

/// <summary>RFC 9110 section 13 conditional requests against a resource's entity tag and modification time.</summary>
internal static class Preconditions
{
    /// <summary>If-Match (strong) or else If-Unmodified-Since.</summary>
    public static bool Hold(HttpRequest request, RequestHeaders headers, string etag, DateTimeOffset lastModified)
    {
        if (IfMatchTags(request) is { } tags)
        {
            return tags.Contains("*") || tags.Contains(etag);
        }

        return headers.IfUnmodifiedSince is not { } since || lastModified <= since;
    }

    /// <summary>If-None-Match (weak) or else If-Modified-Since, for GET and HEAD.</summary>
    public static bool NotModified(HttpRequest request, RequestHeaders headers, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        if (request.Headers.IfNoneMatch.Count > 0)
        {
            return headers.IfNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: false));
        }

        return headers.IfModifiedSince is { } since && lastModified <= since;
    }

    public static bool IfRangeHolds(HttpRequest request, RequestHeaders headers, EntityTagHeaderValue etag, DateTimeOffset lastModified)
    {
        if (request.Headers.IfRange.Count == 0)
        {
            return true;
        }

        return headers.IfRange switch
        {
            { EntityTag: { } tag } => tag.Compare(etag, useStrongComparison: true),
            { LastModified: { } date } => date == lastModified,
            _ => false,
        };
    }

    /// <summary>The opaque tags of If-Match (<c>*</c> as itself), or <c>null</c> without the header.</summary>
    public static IReadOnlyList<string>? IfMatchTags(HttpRequest request)
    {
        if (request.Headers.IfMatch.Count == 0)
        {
            return null;
        }

        var result = new List<string>();
        foreach (var value in request.Headers.IfMatch)
        {
            foreach (var part in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                // Strong comparison: a weak tag never matches (RFC 9110 section 13.1.1).
                if (part == "*")
                {
                    result.Add("*");
                }
                else if (part.Length >= 2 && part[0] == '"' && part[^1] == '"')
                {
                    result.Add(part[1..^1]);
                }
            }
        }

        return result;
    }
}
