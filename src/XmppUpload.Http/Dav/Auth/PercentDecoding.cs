using System.Text;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>
/// Undoes the percent-encoding XEP-0070 section 4.1 puts on the JID and transaction identifier (RFC 3986 section 2.1
/// octets, which together must form UTF-8).
/// </summary>
internal static class PercentDecoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Decodes every <c>%XX</c> once. A '%' not followed by two hex digits is kept as it is, since the XEP only
    /// requires non-ASCII characters to be encoded and a JID's local part may hold a literal '%'. Fails when the
    /// decoded octets are not UTF-8.
    /// </summary>
    public static bool TryDecode(string value, out string decoded)
    {
        decoded = value;
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return true;
        }

        var input = Encoding.UTF8.GetBytes(value);
        var output = new byte[input.Length];
        var length = 0;
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] == (byte)'%' && i + 2 < input.Length && IsHex(input[i + 1]) && IsHex(input[i + 2]))
            {
                output[length++] = (byte)((HexValue(input[i + 1]) << 4) | HexValue(input[i + 2]));
                i += 2;
            }
            else
            {
                output[length++] = input[i];
            }
        }

        try
        {
            decoded = StrictUtf8.GetString(output, 0, length);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
