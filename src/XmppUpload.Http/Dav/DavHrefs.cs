using System.Text;
using XmppUpload.Core.Dav;

namespace XmppUpload.Http.Dav;

/// <summary>Builds hrefs and Location values: the configured prefix and each segment percent-encoded (RFC 3986).</summary>
internal static class DavHrefs
{
    public static string For(string prefix, string path, bool isCollection)
    {
        var builder = new StringBuilder(prefix.TrimEnd('/'));
        if (path != DavPaths.Root)
        {
            foreach (var segment in path[1..].Split('/'))
            {
                builder.Append('/').Append(Uri.EscapeDataString(segment));
            }
        }

        if (isCollection || path == DavPaths.Root)
        {
            builder.Append('/');
        }

        return builder.ToString();
    }
}
