using XmppUpload.Core.Tokens;

namespace XmppUpload.Node.Configuration;

/// <summary>One entry of <c>Tokens:SigningKeys</c>.</summary>
internal sealed class ConfiguredSigningKey
{
    /// <summary>The name tokens carry: letters, digits, <c>-</c> and <c>_</c> (it travels between the token's dots).</summary>
    public string? Id { get; set; }

    /// <summary>The secret, base64, at least <see cref="SigningKey.SecretLength"/> bytes (<c>openssl rand -base64 32</c>).</summary>
    public string? Secret { get; set; }

    /// <summary>From when the key signs; absent for a key that signs from the start.</summary>
    public DateTimeOffset? ActivatesAt { get; set; }

    /// <summary>The key for <see cref="SlotTokens"/>; only for an entry <see cref="TokensOptionsValidator"/> accepted.</summary>
    public SigningKey ToSigningKey() =>
        // A configured key has no creation time of its own; it signs from ActivatesAt, or from the start.
        new(Id!, Convert.FromBase64String(Secret!), DateTimeOffset.MinValue) { ActivatesAt = ActivatesAt ?? DateTimeOffset.MinValue };
}
