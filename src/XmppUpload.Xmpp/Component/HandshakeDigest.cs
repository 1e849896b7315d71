using System.Security.Cryptography;
using System.Text;

namespace XmppUpload.Xmpp.Component;

/// <summary>XEP-0114 section 3: the handshake is the lower-case hex SHA-1 of the stream id followed by the secret.</summary>
internal static class HandshakeDigest
{
    public static string Compute(string streamId, string secret)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        ArgumentNullException.ThrowIfNull(secret);
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes(streamId + secret));
        return Convert.ToHexStringLower(hash);
    }
}
