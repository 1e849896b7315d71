namespace XmppUpload.Storage.Postgres;

/// <summary>
/// The keys of the advisory locks the PostgreSQL ledger and the link lease take. The transaction-scoped ones
/// (<c>pg_advisory_xact_lock</c>) share the high 32 bits 0x58555044 ("XUPD") so that they stay apart from other
/// applications' locks in one database.
/// </summary>
internal static class PostgresLocks
{
    /// <summary>Held while the schema version is read and migrations are applied: nodes starting at once take turns.</summary>
    public const long Migration = 0x58555044_00000001;

    /// <summary>
    /// Held while signing keys are written (the first key created, a rotation, a retired key deleted): nodes starting at
    /// once create one key, not one each, and operators or nodes rotating at once agree on one new key.
    /// </summary>
    public const long SigningKeys = 0x58555044_00000002;

    /// <summary>
    /// Held by slot requests while a global quota is configured: the global sum spans every account, so those requests
    /// are serialised across the cluster (per-account row locks alone would let two accounts overshoot it together).
    /// </summary>
    public const long GlobalQuota = 0x58555044_00000003;

    /// <summary>
    /// The first key of the session-level component link leases (<c>pg_try_advisory_lock(int, int)</c>, "XULK"); the
    /// second is derived from the lease's name (<see cref="PostgresLinkLeaseProvider.KeyOf"/>). PostgreSQL keeps the
    /// two-key space apart from the single bigint keys above.
    /// </summary>
    public const int LinkLeaseClass = 0x58554C4B;
}
