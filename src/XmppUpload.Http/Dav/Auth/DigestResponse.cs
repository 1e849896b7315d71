namespace XmppUpload.Http.Dav.Auth;

/// <summary>The form of an RFC 7616 <c>response</c> for algorithm MD5 (section 3.4.1): 32 hexadecimal digits.</summary>
internal static class DigestResponse
{
    private const int Md5HexLength = 32;

    public static bool IsWellFormed(string response) =>
        response.Length == Md5HexLength && response.All(char.IsAsciiHexDigit);
}
