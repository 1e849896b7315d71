using System.Security.Cryptography;
using System.Text;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>The RFC 7616 <c>response</c> for algorithm MD5 and qop=auth (section 3.4.1).</summary>
internal static class DigestResponse
{
    public static string Compute(string username, string realm, string password, string method, string uri, string nonce, string nonceCount, string cnonce)
    {
        var ha1 = Md5Hex($"{username}:{realm}:{password}");
        var ha2 = Md5Hex($"{method}:{uri}");
        return Md5Hex($"{ha1}:{nonce}:{nonceCount}:{cnonce}:auth:{ha2}");
    }

    /// <summary>Compares a received response in constant time; hex case does not matter.</summary>
    public static bool Matches(string expectedLowerHex, string received)
    {
        if (received.Length != expectedLowerHex.Length)
        {
            return false;
        }

        Span<byte> receivedBytes = stackalloc byte[received.Length];
        for (var i = 0; i < received.Length; i++)
        {
            receivedBytes[i] = (byte)char.ToLowerInvariant(received[i]);
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expectedLowerHex), receivedBytes);
    }

    private static string Md5Hex(string value)
    {
        // MD5 is what Digest with algorithm=MD5 is (RFC 7616 section 3.4.1) and the only algorithm XEP-0070 section 4.1
        // names; it protects nothing secret here (the transaction id is confirmed over XMPP), it only binds the request.
#pragma warning disable CA5351
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(value)));
#pragma warning restore CA5351
    }
}
