using System.Diagnostics.CodeAnalysis;

namespace XmppUpload.Http.Upload;

/// <summary>The validated <see cref="HttpOptions.PublicUrl"/>: the URL slot URLs start with, and the path the routes live under.</summary>
internal sealed class PublicBase
{
    private PublicBase(Uri url, string path)
    {
        Url = url;
        Path = path;
    }

    public Uri Url { get; }

    /// <summary>The path without its trailing slash: empty for a URL at the root, else e.g. <c>/files</c>.</summary>
    public string Path { get; }

    public bool IsHttps => Url.Scheme == Uri.UriSchemeHttps;

    public static PublicBase Parse(string? value) =>
        TryParse(value, out var parsed, out var error) ? parsed : throw new InvalidOperationException(error);

    public static bool TryParse(string? value, [NotNullWhen(true)] out PublicBase? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        const string Key = $"{HttpOptions.SectionName}:{nameof(HttpOptions.PublicUrl)}";
        if (string.IsNullOrWhiteSpace(value))
        {
            error = $"{Key} is not set; set it to the absolute https URL that upload and download URLs start with, e.g. https://upload.example.org/.";
            return false;
        }

        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            error = $"{Key} '{value}' is not an absolute http or https URL; set it to e.g. https://upload.example.org/.";
            return false;
        }

        if (url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
        {
            error = $"{Key} '{value}' has a query, fragment or user info; set only scheme, host, port and path, e.g. https://upload.example.org/files/.";
            return false;
        }

        // The path becomes a route pattern and is matched against the decoded request path: keep it to characters
        // that need no encoding and mean nothing to the router.
        var path = url.AbsolutePath.TrimEnd('/');
        if (!path.All(IsPlainPathChar))
        {
            // Uri has percent-encoded what it would not keep; name the character as the operator wrote it.
            var bad = Uri.UnescapeDataString(path).FirstOrDefault(c => !IsPlainPathChar(c), '%');
            error = $"{Key} '{value}' has a path with '{bad}'; use only letters, digits, '-', '.', '_', '~' and '/' in its path, e.g. https://upload.example.org/files/.";
            return false;
        }

        if (path.Contains("//", StringComparison.Ordinal) || path.Split('/').Any(s => s is "." or ".."))
        {
            error = $"{Key} '{value}' has an empty or dot segment in its path; write a plain path such as https://upload.example.org/files/.";
            return false;
        }

        parsed = new PublicBase(url, path);
        error = null;
        return true;
    }

    private static bool IsPlainPathChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '/';
}
