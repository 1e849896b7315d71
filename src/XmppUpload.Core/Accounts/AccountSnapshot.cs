namespace XmppUpload.Core.Accounts;

/// <summary>
/// What the ledger knows of one account and one bucket at the moment of a decision, read inside the transaction
/// that will record the decision (so nothing changes between reading and writing).
/// </summary>
/// <param name="StoredBytes">Bytes of the bucket's stored, still served files.</param>
/// <param name="ReservedBytes">Bytes reserved by the bucket's open slots (pending before their deadline, or uploading).</param>
/// <param name="OldestStored">The bucket's stored files, oldest first (all of them, or at least enough to free the request's size).</param>
/// <param name="NextExpiry">The earliest time a stored file of the bucket stops being served, if any.</param>
/// <param name="NextReservationLapse">The earliest PUT deadline among the bucket's pending slots, if any.</param>
/// <param name="RequestsInWindow">
/// Slots granted to the account (any bucket) since the start of the rate window; a ledger may stop counting at the
/// window's limit, since the decision asks only whether it is reached.
/// </param>
/// <param name="OldestRequestInWindow">When the oldest of those was granted.</param>
/// <param name="GlobalUsedBytes">Stored plus reserved bytes of every account, for the optional global quota.</param>
public sealed record AccountSnapshot(
    long StoredBytes,
    long ReservedBytes,
    IReadOnlyList<StoredFileRef> OldestStored,
    DateTimeOffset? NextExpiry,
    DateTimeOffset? NextReservationLapse,
    int RequestsInWindow,
    DateTimeOffset? OldestRequestInWindow,
    long GlobalUsedBytes);
