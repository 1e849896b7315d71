namespace XmppUpload.Node.Admin;

/// <summary>Exit codes of the operator verbs, the same the node uses for a configuration it refuses.</summary>
internal static class AdminExitCodes
{
    public const int Ok = 0;

    /// <summary>The verb ran and something broke (the ledger or the blob store failed).</summary>
    public const int Failure = 1;

    /// <summary>The command line or the configuration is wrong, or a purge was not confirmed; nothing was changed.</summary>
    public const int UsageError = 2;
}
