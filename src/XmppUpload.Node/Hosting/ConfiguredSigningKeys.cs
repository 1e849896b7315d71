using XmppUpload.Core.Tokens;
using XmppUpload.Node.Configuration;

namespace XmppUpload.Node.Hosting;

/// <summary>The keys of <c>Tokens:SigningKeys</c>, in the order given: fixed for the life of the process, never loaded from the ledger.</summary>
internal sealed class ConfiguredSigningKeys(TokensOptions options) : ISigningKeyProvider
{
    private readonly IReadOnlyList<SigningKey> _keys = [.. options.SigningKeys.Select(k => k.ToSigningKey())];

    public IReadOnlyList<SigningKey> Keys => _keys;

    public ValueTask<bool> TryLoadUnknownKeyAsync(string keyId, CancellationToken cancellationToken) => ValueTask.FromResult(false);
}
