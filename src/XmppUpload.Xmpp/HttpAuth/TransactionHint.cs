using System.Security.Cryptography;
using System.Text;

namespace XmppUpload.Xmpp.HttpAuth;

/// <summary>
/// What logs show of a transaction identifier. The identifier is the password of the HTTP request (XEP-0070 section
/// 4.3), so logs get 32 bits of its SHA-256: enough to follow one request through the log, nothing to replay it with.
/// </summary>
internal static class TransactionHint
{
    public static string Of(string transactionId)
    {
        ArgumentNullException.ThrowIfNull(transactionId);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(transactionId), hash);
        return "sha256:" + Convert.ToHexStringLower(hash[..4]);
    }
}
