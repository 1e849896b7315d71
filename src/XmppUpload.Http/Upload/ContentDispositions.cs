using System.Text;

namespace XmppUpload.Http.Upload;

/// <summary>
/// Builds Content-Disposition values (RFC 6266): the name as <c>filename*=UTF-8''...</c> (RFC 8187) for every
/// client that reads it, and an ASCII-only <c>filename="..."</c> fallback that cannot break out of its quotes.
/// </summary>
internal static class ContentDispositions
{
    private const string Hex = "0123456789ABCDEF";

    public static string For(string fileName, bool inline)
    {
        var builder = new StringBuilder(fileName.Length * 3 + 64);
        builder.Append(inline ? "inline" : "attachment");
        builder.Append("; filename=\"");
        AppendAsciiFallback(builder, fileName);
        builder.Append("\"; filename*=UTF-8''");
        AppendExtValue(builder, fileName);
        return builder.ToString();
    }

    /// <summary>RFC 8187 section 3.2.1: every byte outside attr-char is percent-encoded.</summary>
    private static void AppendExtValue(StringBuilder builder, string value)
    {
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (IsAttrChar(b))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 0xF]);
            }
        }
    }

    private static void AppendAsciiFallback(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            // Letters, digits and a few marks that need no escaping inside a quoted-string and mean nothing to a
            // file system; everything else (quotes, backslashes, '%', non-ASCII) becomes '_'.
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is ' ' or '.' or '-' or '_' or '(' or ')' or '+' or ',' or '=' or '@' ? c : '_');
        }
    }

    private static bool IsAttrChar(byte b) =>
        char.IsAsciiLetterOrDigit((char)b)
        || b is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'&' or (byte)'+' or (byte)'-' or (byte)'.'
            or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}
