using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>
/// Issues and checks Digest nonces without keeping state: a nonce is <c>issued-at || random || HMAC-SHA256(key, both)</c>
/// in base64url, so only this process can make one and its age needs no lookup. The key and the <c>opaque</c> value are
/// new for every process.
/// </summary>
internal sealed class DigestNonces
{
    /// <summary>How long a nonce is accepted; after that the client gets <c>stale=true</c> and retries with a new one.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    // Nonces stamped a little in the future are tolerated as fresh: the clock may step back slightly between issue and use.
    private static readonly TimeSpan FutureTolerance = TimeSpan.FromSeconds(30);

    private const int TimestampBytes = 8;
    private const int RandomBytes = 12;
    private const int MacBytes = 16;
    private const int NonceBytes = TimestampBytes + RandomBytes + MacBytes;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly TimeProvider _timeProvider;

    public DigestNonces(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        Opaque = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    }

    /// <summary>The <c>opaque</c> directive of every challenge of this process; clients return it unchanged.</summary>
    public string Opaque { get; }

    public string Issue()
    {
        Span<byte> nonce = stackalloc byte[NonceBytes];
        BinaryPrimitives.WriteInt64BigEndian(nonce, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(nonce.Slice(TimestampBytes, RandomBytes));
        Sign(nonce[..(TimestampBytes + RandomBytes)], nonce[(TimestampBytes + RandomBytes)..]);
        return Base64Url.EncodeToString(nonce);
    }

    /// <summary>Checks a nonce; <paramref name="expiresAt"/> is when it stops being accepted (set when it is authentic).</summary>
    public NonceValidity Check(string nonce, out DateTimeOffset expiresAt)
    {
        expiresAt = default;
        Span<byte> bytes = stackalloc byte[NonceBytes];
        if (nonce.Length != Base64Url.GetEncodedLength(NonceBytes)
            || !Base64Url.TryDecodeFromChars(nonce, bytes, out var written)
            || written != NonceBytes)
        {
            return NonceValidity.Invalid;
        }

        Span<byte> expected = stackalloc byte[MacBytes];
        Sign(bytes[..(TimestampBytes + RandomBytes)], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes[(TimestampBytes + RandomBytes)..]))
        {
            return NonceValidity.Invalid;
        }

        var issuedAt = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(bytes));
        expiresAt = issuedAt + Lifetime;
        var now = _timeProvider.GetUtcNow();
        return now < expiresAt && issuedAt <= now + FutureTolerance ? NonceValidity.Valid : NonceValidity.Stale;
    }

    private void Sign(ReadOnlySpan<byte> data, Span<byte> mac)
    {
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, data, full);
        full[..MacBytes].CopyTo(mac);
    }
}
