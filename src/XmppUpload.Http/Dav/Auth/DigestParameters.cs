namespace XmppUpload.Http.Dav.Auth;

/// <summary>The auth-params of one <c>Authorization: Digest ...</c> header (RFC 7616 section 3.4), keys case-insensitive.</summary>
internal sealed class DigestParameters
{
    private readonly Dictionary<string, string> _values;

    private DigestParameters(Dictionary<string, string> values) => _values = values;

    public string? this[string name] => _values.GetValueOrDefault(name);

    /// <summary>
    /// Parses <c>name=token</c> and <c>name="quoted-string"</c> pairs separated by commas (RFC 7235 section 2.1).
    /// Fails on a repeated name, since which copy the client meant is unknowable.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DigestParameters? parameters)
    {
        parameters = null;
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (true)
        {
            i = SkipSeparators(text, i);
            if (i >= text.Length)
            {
                break;
            }

            var nameStart = i;
            while (i < text.Length && IsTokenChar(text[i]))
            {
                i++;
            }

            if (i == nameStart)
            {
                return false;
            }

            var name = text[nameStart..i].ToString();
            i = SkipWhitespace(text, i);
            if (i >= text.Length || text[i] != '=')
            {
                return false;
            }

            i = SkipWhitespace(text, i + 1);
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var builder = new System.Text.StringBuilder();
                i++;
                var closed = false;
                while (i < text.Length)
                {
                    var c = text[i++];
                    if (c == '"')
                    {
                        closed = true;
                        break;
                    }

                    if (c == '\\')
                    {
                        if (i >= text.Length)
                        {
                            return false;
                        }

                        c = text[i++];
                    }

                    builder.Append(c);
                }

                if (!closed)
                {
                    return false;
                }

                value = builder.ToString();
            }
            else
            {
                var valueStart = i;
                while (i < text.Length && IsTokenChar(text[i]))
                {
                    i++;
                }

                if (i == valueStart)
                {
                    return false;
                }

                value = text[valueStart..i].ToString();
            }

            if (!values.TryAdd(name, value))
            {
                return false;
            }

            i = SkipWhitespace(text, i);
            if (i < text.Length && text[i] != ',')
            {
                return false;
            }
        }

        parameters = new DigestParameters(values);
        return true;
    }

    private static int SkipWhitespace(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && (text[i] == ' ' || text[i] == '\t'))
        {
            i++;
        }

        return i;
    }

    private static int SkipSeparators(ReadOnlySpan<char> text, int i)
    {
        while (i < text.Length && (text[i] == ' ' || text[i] == '\t' || text[i] == ','))
        {
            i++;
        }

        return i;
    }

    // RFC 9110 section 5.6.2: tchar.
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
