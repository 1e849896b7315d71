using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using XmppUpload.Core.Dav;

namespace XmppUpload.Http.Dav;

/// <summary>
/// A request target inside the WebDAV tree, decoded once from the raw target: percent-decoded UTF-8 segments, never a
/// disk path (blobs are keyed by random ids). Dot segments, encoded separators, NUL and control characters and
/// over-long paths are refused, so one resource has exactly one name.
/// </summary>
internal readonly record struct DavRequestPath(string Path, bool TrailingSlash)
{
    public const int MaxPathBytes = 1024;
    public const int MaxSegmentBytes = 255;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool TryRead(HttpContext context, string prefix, out DavRequestPath path, out string reason)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        // Absolute-form targets (RFC 9112 section 3.2.2): only the path matters here.
        if (raw.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || raw.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            var authorityEnd = raw.IndexOf('/', raw.IndexOf("//", StringComparison.Ordinal) + 2);
            raw = authorityEnd < 0 ? "/" : raw[authorityEnd..];
        }

        return TryParse(raw, prefix, out path, out reason);
    }

    /// <summary>Parses a raw, still percent-encoded path (a query or fragment is ignored) below <paramref name="prefix"/>.</summary>
    public static bool TryParse(string raw, string prefix, out DavRequestPath path, out string reason)
    {
        path = default;
        // RFC 9112 section 3.2: a request target has no fragment; guessing which resource was meant would be unsafe.
        if (raw.Contains('#', StringComparison.Ordinal))
        {
            reason = "the request target has a fragment (#); send the path only";
            return false;
        }

        var end = raw.IndexOf('?', StringComparison.Ordinal);
        if (end >= 0)
        {
            raw = raw[..end];
        }

        var bare = prefix.TrimEnd('/');
        string rest;
        if (string.Equals(raw, bare, StringComparison.Ordinal))
        {
            rest = string.Empty;
        }
        else if (raw.StartsWith(bare + "/", StringComparison.Ordinal))
        {
            rest = raw[(bare.Length + 1)..];
        }
        else
        {
            reason = $"the path is not below the WebDAV root {prefix}";
            return false;
        }

        var trailingSlash = rest.Length == 0 || rest.EndsWith('/');
        if (rest.EndsWith('/'))
        {
            rest = rest[..^1];
        }

        if (rest.Length == 0)
        {
            path = new DavRequestPath(DavPaths.Root, true);
            reason = string.Empty;
            return true;
        }

        var builder = new StringBuilder(rest.Length + 1);
        var totalBytes = 0;
        foreach (var encoded in rest.Split('/'))
        {
            if (!TryDecodeSegment(encoded, out var segment, out reason))
            {
                return false;
            }

            var bytes = Encoding.UTF8.GetByteCount(segment);
            if (bytes > MaxSegmentBytes)
            {
                reason = $"a path segment is {bytes} bytes long; at most {MaxSegmentBytes} are allowed";
                return false;
            }

            totalBytes += bytes + 1;
            builder.Append('/').Append(segment);
        }

        if (totalBytes > MaxPathBytes)
        {
            reason = $"the path is {totalBytes} bytes long; at most {MaxPathBytes} are allowed";
            return false;
        }

        path = new DavRequestPath(builder.ToString(), trailingSlash);
        reason = string.Empty;
        return true;
    }

    private static bool TryDecodeSegment(string encoded, out string segment, out string reason)
    {
        segment = string.Empty;
        if (encoded.Length == 0)
        {
            reason = "the path has an empty segment (//)";
            return false;
        }

        var bytes = new List<byte>(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '%')
            {
                if (i + 2 >= encoded.Length || !IsHex(encoded[i + 1]) || !IsHex(encoded[i + 2]))
                {
                    reason = "the path has a malformed percent-encoding";
                    return false;
                }

                bytes.Add(Convert.ToByte(encoded.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                // Kestrel hands over raw non-ASCII octets as Latin-1 characters; re-encode them as sent.
                bytes.Add(c <= 0xFF ? (byte)c : (byte)'?');
            }
        }

        try
        {
            segment = StrictUtf8.GetString(bytes.ToArray());
        }
        catch (DecoderFallbackException)
        {
            reason = "the path is not valid UTF-8 after percent-decoding";
            return false;
        }

        if (segment is "." or "..")
        {
            reason = "the path has a '.' or '..' segment";
            return false;
        }

        if (segment.Contains('/', StringComparison.Ordinal) || segment.Contains('\\', StringComparison.Ordinal))
        {
            reason = "the path has an encoded separator (%2F) or a backslash in a segment";
            return false;
        }

        if (segment.Any(char.IsControl))
        {
            reason = "the path has a NUL or control character";
            return false;
        }

        reason = string.Empty;
        return true;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
