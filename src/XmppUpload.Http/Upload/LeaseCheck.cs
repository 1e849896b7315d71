namespace XmppUpload.Http.Upload;

/// <summary>What the ledger said when a PUT checked its claim on the slot.</summary>
internal enum LeaseCheck
{
    /// <summary>This attempt still holds the slot, now with a whole lease ahead.</summary>
    Held,

    /// <summary>Another attempt has taken the slot over (or the upload has ended): commit nothing.</summary>
    Lost,

    /// <summary>The ledger could not be reached for the whole retry budget: the claim is unknown, so commit nothing.</summary>
    Unreachable,
}
