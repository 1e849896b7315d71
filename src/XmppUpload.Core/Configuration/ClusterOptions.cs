namespace XmppUpload.Core.Configuration;

/// <summary>
/// How the nodes of a cluster share the component link and talk to each other (configuration section <c>Cluster</c>).
/// A single node on SQLite always holds its link and needs none of this.
/// </summary>
public sealed class ClusterOptions
{
    public const string SectionName = "Cluster";

    /// <summary>
    /// How often a node on standby tries to take the component link lease. A dead holder's lease is free as soon as
    /// PostgreSQL ends its session, so this bounds the time to take the link over (well under 10 s by default).
    /// </summary>
    public TimeSpan LeaseRetryInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often the lease's and the bus's PostgreSQL connections prove that they are alive; a check that fails or
    /// takes longer than twice this ends the lease (and the link) or reconnects the bus.
    /// </summary>
    public TimeSpan ConnectionCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a node without the link waits for the link holder to take up an XEP-0070 confirmation it forwards;
    /// with no answer by then (no node holds the link) the confirmation is unavailable at once instead of waiting out
    /// its whole timeout.
    /// </summary>
    public TimeSpan RelayTimeout { get; set; } = TimeSpan.FromSeconds(2);
}
