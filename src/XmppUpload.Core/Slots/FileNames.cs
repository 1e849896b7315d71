using System.Text;

namespace XmppUpload.Core.Slots;

/// <summary>
/// Turns a client-supplied file name into one that is safe in a URL path segment and in headers. The name is never
/// used as a path on disk (blobs are keyed by slot id), but it is still cleaned so that no URL, log line or
/// Content-Disposition header can be bent by it.
/// </summary>
public static class FileNames
{
    /// <summary>Longest accepted name in UTF-8 bytes (the common file-system limit).</summary>
    public const int MaxUtf8Bytes = 255;

    public static FileNameResult Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return FileNameResult.Refused("The file name is empty.");
        }

        if (Encoding.UTF8.GetByteCount(raw) > MaxUtf8Bytes)
        {
            return FileNameResult.Refused($"The file name is longer than {MaxUtf8Bytes} UTF-8 bytes.");
        }

        // Keep the extension and non-ASCII letters (XEP-0363 section 5: keep the name and especially the ending);
        // replace what could act as a path or break a header: separators, control and format characters.
        var builder = new StringBuilder(raw.Length);
        foreach (var rune in raw.Trim().EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var unsafeRune = rune.Value is '/' or '\\' or ':' or '"' or '*' or '?' or '<' or '>' or '|'
                || category is System.Globalization.UnicodeCategory.Control
                    or System.Globalization.UnicodeCategory.Format
                    or System.Globalization.UnicodeCategory.LineSeparator
                    or System.Globalization.UnicodeCategory.ParagraphSeparator
                    or System.Globalization.UnicodeCategory.Surrogate
                    or System.Globalization.UnicodeCategory.PrivateUse
                    or System.Globalization.UnicodeCategory.OtherNotAssigned;
            builder.Append(unsafeRune ? "_" : rune.ToString());
        }

        // The name is otherwise kept exactly as sent (no Unicode normalisation), so the client finds its own name again.
        var name = builder.ToString();
        if (name.Trim('.', ' ', '_').Length == 0)
        {
            return FileNameResult.Refused("The file name has no usable characters.");
        }

        // A leading dot would make a hidden file for anyone who saves the download as is.
        if (name.StartsWith('.'))
        {
            name = "_" + name[1..];
        }

        return FileNameResult.Accepted(name);
    }
}
