using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace XmppUpload.Http.Upload;

/// <summary>
/// CORS headers for the upload routes (XEP-0363 section 9): web clients on other origins must be able to PUT with
/// an Authorization header and read the answer, and to GET with Range.
/// </summary>
internal sealed class CorsPolicy
{
    public const string AllowedMethods = "GET, HEAD, PUT, OPTIONS";

    // Authorization must be named: the wildcard of Access-Control-Allow-Headers never covers it.
    public const string AllowedHeaders = "Authorization, Content-Type, Range";

    public const string ExposedHeaders =
        "Content-Length, Content-Range, Content-Type, Content-Disposition, ETag, Last-Modified, Accept-Ranges, Location";

    // Firefox caps this at 24 hours, Chromium at 2 hours; the larger value lets each use its own cap.
    public const string MaxAgeSeconds = "86400";

    private const string Key = $"{HttpOptions.SectionName}:{nameof(HttpOptions.CorsAllowedOrigins)}";

    /// <summary>The allowed origins in their serialized form, or <c>null</c> for any origin.</summary>
    private readonly HashSet<string>? _origins;

    public CorsPolicy(string? allowedOrigins)
    {
        if (!TryParseOrigins(allowedOrigins, out _origins, out var error))
        {
            throw new InvalidOperationException(error);
        }
    }

    /// <summary>Parses <c>*</c> (any origin, returned as <c>null</c>) or a list of origins separated by spaces or commas.</summary>
    public static bool TryParseOrigins(string? value, out HashSet<string>? origins, [NotNullWhen(false)] out string? error)
    {
        origins = null;
        var entries = (value ?? string.Empty).Split([' ', ',', '\t', ';'], StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length == 0)
        {
            error = $"{Key} is empty; set it to * for any origin, or to the allowed origins separated by spaces, e.g. https://web.example.org.";
            return false;
        }

        if (entries.Contains("*"))
        {
            error = entries.Length == 1
                ? null
                : $"{Key} mixes * with origins; set either * or only the allowed origins, e.g. https://web.example.org.";
            return error is null;
        }

        origins = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            if (!Uri.TryCreate(entry, UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                || uri.PathAndQuery != "/" || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            {
                error = $"{Key} entry '{entry}' is not an origin; write scheme://host[:port] without a path, e.g. https://web.example.org.";
                origins = null;
                return false;
            }

            // The serialized origin a browser sends: lower-case scheme and host, default port left out.
            origins.Add(uri.GetLeftPart(UriPartial.Authority));
        }

        error = null;
        return true;
    }

    /// <summary>Adds the headers every response of the upload routes carries.</summary>
    public void Apply(HttpRequest request, IHeaderDictionary headers)
    {
        if (_origins is null)
        {
            headers.AccessControlAllowOrigin = "*";
        }
        else
        {
            // The answer depends on the Origin header, so caches must keep one answer per origin.
            headers.Vary = HeaderNames.Origin;
            var origin = request.Headers.Origin;
            if (origin.Count == 1 && _origins.Contains(origin.ToString()))
            {
                headers.AccessControlAllowOrigin = origin;
                headers.AccessControlAllowCredentials = "true";
            }
        }

        headers.AccessControlExposeHeaders = ExposedHeaders;
    }

    /// <summary>Adds what a preflight answer needs on top of <see cref="Apply"/>.</summary>
    public static void ApplyPreflight(IHeaderDictionary headers)
    {
        headers.AccessControlAllowMethods = AllowedMethods;
        headers.AccessControlAllowHeaders = AllowedHeaders;
        headers.AccessControlMaxAge = MaxAgeSeconds;
    }
}
