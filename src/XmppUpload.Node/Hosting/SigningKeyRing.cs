using XmppUpload.Core.Tokens;

namespace XmppUpload.Node.Hosting;

/// <summary>The PUT-token keys in force on this node, newest first, loaded from the ledger at start.</summary>
internal sealed class SigningKeyRing
{
    private volatile IReadOnlyList<SigningKey> _keys = [];

    public IReadOnlyList<SigningKey> Keys => _keys;

    public void Replace(IReadOnlyList<SigningKey> keys) => _keys = keys;
}
