namespace XmppUpload.Node.Configuration;

/// <summary>
/// Where the PUT-token keys come from (configuration section <c>Tokens</c>): from the ledger, which creates, rotates and
/// retires them and which every node reloads every <see cref="KeyReloadInterval"/>, unless <see cref="SigningKeys"/> lists
/// them, in which case the node uses those and never touches the ledger's keys.
/// </summary>
internal sealed class TokensOptions
{
    public const string SectionName = "Tokens";

    public static readonly TimeSpan DefaultKeyReloadInterval = TimeSpan.FromMinutes(1);

    /// <summary>Keys given by the operator, in order of preference: the first active one signs, every one verifies.</summary>
    public List<ConfiguredSigningKey> SigningKeys { get; set; } = [];

    /// <summary>How often a node reloads the ledger's keys; a rotated key starts signing after twice this.</summary>
    public TimeSpan KeyReloadInterval { get; set; } = DefaultKeyReloadInterval;

    public bool UsesConfiguredKeys => SigningKeys.Count > 0;
}
