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

    private readonly ISigningKeyProvider _keys;
    private readonly TimeProvider _time;

    /// <param name="keys">The keys in force, in order of preference; read on every call so that rotation needs no restart.</param>
    /// <param name="time">The clock that decides which key signs; the system clock when none is given.</param>
    public SlotTokens(Func<IReadOnlyList<SigningKey>> keys, TimeProvider? time = null)
        : this(new FixedKeys(keys), time ?? TimeProvider.System)
    {
    }

    /// <param name="keys">The node's keys, which may load a key it does not hold yet (see <see cref="CheckAsync"/>).</param>
    /// <param name="time">The clock that decides which key signs.</param>
    public SlotTokens(ISigningKeyProvider keys, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(time);
        _keys = keys;
        _time = time;
    }

    public string Issue(string slotId, string fileName, long size, string? contentType, DateTimeOffset expiresAt)
    {
        var key = SigningKeySchedule.SignerAt(_keys.Keys, _time.GetUtcNow())
            ?? throw new InvalidOperationException("No signing key is loaded.");
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

    /// <summary>
    /// Checks a token against the slot id and decoded file name of the URL it was sent to. A token that names a key the
    /// node does not hold is <see cref="TokenCheck.Invalid"/> here; <see cref="CheckAsync"/> looks for that key first.
    /// </summary>
    public TokenCheck Check(string? header, string slotId, string fileName, DateTimeOffset now, out PutToken token) =>
        Check(header, slotId, fileName, now, out token, out _);

    /// <summary>
    /// As <see cref="Check(string?, string, string, DateTimeOffset, out PutToken)"/>, but a well-formed token that names a
    /// key the node does not hold makes the node look for that key (as often as the key provider allows) and check again.
    /// </summary>
    public async ValueTask<TokenVerdict> CheckAsync(string? header, string slotId, string fileName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var check = Check(header, slotId, fileName, now, out var token, out var unknownKey);
        if (unknownKey && await _keys.TryLoadUnknownKeyAsync(token.KeyId, cancellationToken))
        {
            check = Check(header, slotId, fileName, now, out token, out _);
        }

        return new TokenVerdict(check, token);
    }

    private TokenCheck Check(string? header, string slotId, string fileName, DateTimeOffset now, out PutToken token, out bool unknownKey)
    {
        unknownKey = false;
        if (!TryParse(header, out token, out var signature))
        {
            return TokenCheck.Invalid;
        }

        byte[] presented;
        try
        {
            presented = Base64Url.DecodeFromChars(signature);
        }
        catch (FormatException)
        {
            return TokenCheck.Invalid;
        }

        var key = SigningKeySchedule.Find(_keys.Keys, token.KeyId);
        if (key is null)
        {
            unknownKey = true;
            return TokenCheck.Invalid;
        }

        // A retired key signed nothing that is still valid (its last token has expired), so whatever it signed is refused.
        if (key.IsRetiredAt(now))
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

    /// <summary>Keys given by a function, which loads nothing more.</summary>
    private sealed class FixedKeys(Func<IReadOnlyList<SigningKey>> keys) : ISigningKeyProvider
    {
        private readonly Func<IReadOnlyList<SigningKey>> _keys = keys ?? throw new ArgumentNullException(nameof(keys));

        public IReadOnlyList<SigningKey> Keys => _keys();

        public ValueTask<bool> TryLoadUnknownKeyAsync(string keyId, CancellationToken cancellationToken) => ValueTask.FromResult(false);
    }
}
