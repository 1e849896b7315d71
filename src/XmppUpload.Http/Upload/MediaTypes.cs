using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace XmppUpload.Http.Upload;

/// <summary>Media type rules of the upload routes: what a PUT must declare, and what a GET may show inline.</summary>
internal static class MediaTypes
{
    public const string OctetStream = "application/octet-stream";

    // Types a browser renders without running anything. SVG is an image that can carry script, and anything
    // textual could be read as markup, so they and everything else are sent as attachments.
    private static readonly HashSet<string> InlineImages = new(StringComparer.OrdinalIgnoreCase)
    {
        "image/png", "image/apng", "image/jpeg", "image/pjpeg", "image/gif", "image/webp", "image/avif", "image/bmp",
        "image/heic", "image/heif", "image/jxl",
    };

    /// <summary>
    /// XEP-0363 section 7: the PUT's Content-Type must match the slot's. Only the media type (type/subtype) is
    /// compared, case-insensitively as RFC 9110 section 8.3.1 says; parameters such as charset are ignored, because
    /// the file is always served with the type the slot was granted for, never with the one the PUT declared.
    /// A PUT without a Content-Type does not match (it would mean application/octet-stream).
    /// </summary>
    public static bool SameMediaType(string expected, string? actual)
    {
        if (string.IsNullOrWhiteSpace(actual) || !TryEssence(actual, out var actualType))
        {
            return false;
        }

        return TryEssence(expected, out var expectedType) && StringSegment.Equals(expectedType, actualType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The Content-Type a stored file is served with: the slot's, or application/octet-stream.</summary>
    public static string Served(string? slotType) =>
        slotType is not null && TryEssence(slotType, out _) ? slotType : OctetStream;

    public static bool IsSafeInline(string servedType)
    {
        if (!TryEssence(servedType, out var essence))
        {
            return false;
        }

        var value = essence.Value!;
        return InlineImages.Contains(value)
            || value.StartsWith("audio/", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("video/", StringComparison.OrdinalIgnoreCase);
    }

    private static bool TryEssence(string value, out StringSegment essence)
    {
        essence = default;
        if (!MediaTypeHeaderValue.TryParse(value, out var parsed) || !parsed.Type.HasValue || !parsed.SubType.HasValue
            || parsed.MatchesAllTypes || parsed.MatchesAllSubTypes)
        {
            return false;
        }

        essence = parsed.MediaType;
        return true;
    }
}
