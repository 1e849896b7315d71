using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace XmppUpload.Core.Tokens;

/// <summary>
/// Issues and checks the PUT <c>Authorization</c> token of a slot. The token is an HMAC-SHA256 over the slot id, the
/// decoded file name, the size, the content type and the deadline, so a node checks it without any I/O and a token
/// for one slot never opens another. Form: <c>Bearer v1.{key id}.{deadline, unix s}.{size}.{base64url type}.{base64url mac}</c>.
/// </summary>
public sealed class SlotTokens
{
    public const string Scheme = "Bearer";
    private const string Version = "v1";
    private const int MaxTokenLength = 2048;

    private readonly Func<IReadOnlyList<SigningKey>> _keys;

    /// <param name="keys">The keys in force, newest first; read on every call so that rotation needs no restart.</param>
    public SlotTokens(Func<IReadOnlyList<SigningKey>> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys;
    }

    public string Issue(string slotId, string fileName, long size, string? contentType, DateTimeOffset expiresAt)
    {
        var keys = _keys();
        if (keys.Count == 0)
        {
            throw new InvalidOperationException("No signing key is loaded.");
        }

        var key = keys[0];
        var deadline = expiresAt.ToUnixTimeSeconds();
        var mac = Sign(key.Secret, key.Id, slotId, fileName, size, contentType, deadline);
        var type = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(contentType ?? string.Empty));
        return string.Create(CultureInfo.InvariantCulture, $"{Scheme} {Version}.{key.Id}.{deadline}.{size}.{type}.{Base64Url.EncodeToString(mac)}");
    }

    /// <summary>Reads the granted fields from an Authorization header value without trusting them.</summary>
    public static bool TryRead(string? header, out PutToken token) => TryParse(header, out token, out _);

    /// <summary>Splits the header once: the granted fields and the signature, still unchecked.</summary>
    private static bool TryParse(string? header, out PutToken token, out string signature)
    {
        token = default;
        signature = string.Empty;
        if (header is null || header.Length > MaxTokenLength || !header.StartsWith(Scheme + " ", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = header[(Scheme.Length + 1)..].Trim().Split('.');
        if (parts.Length != 6 || parts[0] != Version || parts[1].Length == 0)
        {
            return false;
        }

        if (!long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var deadline)
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || deadline > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        string? type;
        try
        {
            type = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[4]));
        }
        catch (FormatException)
        {
            return false;
        }

        token = new PutToken(parts[1], DateTimeOffset.FromUnixTimeSeconds(deadline), size, type.Length == 0 ? null : type);
        signature = parts[5];
        return true;
    }

    /// <summary>Checks a token against the slot id and decoded file name of the URL it was sent to.</summary>
    public TokenCheck Check(string? header, string slotId, string fileName, DateTimeOffset now, out PutToken token)
    {
        if (!TryParse(header, out token, out var signature))
        {
            return TokenCheck.Invalid;
        }

        var key = FindKey(token.KeyId);
        byte[] presented;
        try
        {
            presented = Base64Url.DecodeFromChars(signature);
        }
        catch (FormatException)
        {
            return TokenCheck.Invalid;
        }

        if (key is null)
        {
            return TokenCheck.Invalid;
        }

        var expected = Sign(key.Secret, key.Id, slotId, fileName, token.Size, token.ContentType, token.ExpiresAt.ToUnixTimeSeconds());
        if (!CryptographicOperations.FixedTimeEquals(expected, presented))
        {
            return TokenCheck.Invalid;
        }

        return now >= token.ExpiresAt ? TokenCheck.Expired : TokenCheck.Valid;
    }

    private SigningKey? FindKey(string id)
    {
        foreach (var key in _keys())
        {
            if (string.Equals(key.Id, id, StringComparison.Ordinal))
            {
                return key;
            }
        }

        return null;
    }

    private static byte[] Sign(byte[] secret, string keyId, string slotId, string fileName, long size, string? contentType, long deadline)
    {
        // NUL separates the fields: none of them may contain it (ids are base32, names and types are cleaned).
        var message = string.Create(CultureInfo.InvariantCulture, $"{Version}\0{keyId}\0{slotId}\0{fileName}\0{size}\0{contentType}\0{deadline}");
        var length = Encoding.UTF8.GetByteCount(message);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(message, buffer);
            return HMACSHA256.HashData(secret, buffer.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
