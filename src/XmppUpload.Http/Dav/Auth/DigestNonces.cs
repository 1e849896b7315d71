using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>
/// Issues and checks Digest nonces without keeping state: a nonce is <c>issued-at || random || HMAC-SHA256(key, both)</c>
/// in base64url, so only holders of the key can make one and its age needs no lookup. The key is the shared secret
/// <see cref="SecretName"/>, the same on every node of a cluster (and across restarts), so a nonce issued by one node is
/// accepted by the next node a load balancer picks; the <c>opaque</c> value is derived from it for the same reason.
/// </summary>
internal sealed class DigestNonces
{
    /// <summary>The name of the nonce key in the <see cref="Core.Ports.ISharedSecretStore"/>.</summary>
    public const string SecretName = "webdav-digest-nonce-key";

    /// <summary>Bytes of the key: as many as an HMAC-SHA256 output, all the strength the MAC can use.</summary>
    public const int KeyLength = 32;

    /// <summary>How long a nonce is accepted; after that the client gets <c>stale=true</c> and retries with a new one.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    // Nonces stamped a little in the future are tolerated as fresh: the clock may step back slightly between issue and use.
    private static readonly TimeSpan FutureTolerance = TimeSpan.FromSeconds(30);

    private const int TimestampBytes = 8;
    private const int RandomBytes = 12;
    private const int MacBytes = 16;
    private const int NonceBytes = TimestampBytes + RandomBytes + MacBytes;

    // The opaque value is the MAC of this label: 22 bytes, where a nonce's MAC covers 20, so the one can never pass
    // for the other.
    private static readonly byte[] OpaqueLabel = "XEP-0070 Digest opaque"u8.ToArray();

    private readonly byte[] _key;
    private readonly TimeProvider _timeProvider;

    public DigestNonces(TimeProvider timeProvider, ReadOnlySpan<byte> key)
    {
        if (key.Length < KeyLength)
        {
            throw new ArgumentException($"The Digest nonce key needs at least {KeyLength} bytes.", nameof(key));
        }

        _timeProvider = timeProvider;
        _key = key.ToArray();
        Span<byte> opaque = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, OpaqueLabel, opaque);
        Opaque = Convert.ToHexStringLower(opaque[..16]);
    }

    /// <summary>The <c>opaque</c> directive of every challenge made with this key; clients return it unchanged.</summary>
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
