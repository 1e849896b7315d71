namespace XmppUpload.Core.Slots;

/// <summary>
/// One upload slot and the rules of its life cycle: Pending (PUT allowed until <see cref="PutDeadline"/>) to
/// Uploading (held by one upload attempt under a lease) to Stored (served until <see cref="ExpiresAt"/>) to Deleted.
/// Ledgers persist it and apply these transitions atomically; the rules live here so that every ledger applies the
/// same ones.
/// </summary>
public sealed class Slot
{
    public required string Id { get; init; }

    /// <summary>The requester's bare JID, the account the slot belongs to.</summary>
    public required string Owner { get; init; }

    public required string FileName { get; init; }

    public required long Size { get; init; }

    /// <summary>The media type the PUT must carry, or <c>null</c> when the request named none.</summary>
    public string? ContentType { get; init; }

    public required Purpose Purpose { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset PutDeadline { get; init; }

    /// <summary>When the stored file stops being served; <c>null</c> keeps it until removed.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public SlotState State { get; private set; } = SlotState.Pending;

    public DateTimeOffset? StoredAt { get; private set; }

    /// <summary>
    /// The upload attempt that holds (or, once Stored, stored) the slot; <c>null</c> while Pending. Only this attempt may
    /// renew, complete or abort the upload.
    /// </summary>
    public string? UploadAttempt { get; private set; }

    /// <summary>
    /// While Uploading: until when <see cref="UploadAttempt"/> holds the slot without renewing. Once it has passed, the
    /// process streaming the upload is presumed dead and a retry of the same slot may take it over.
    /// </summary>
    public DateTimeOffset? UploadLeaseUntil { get; private set; }

    /// <summary>Rebuilds a slot read back from a ledger.</summary>
    public static Slot Restore(Slot template, SlotState state, DateTimeOffset? storedAt) =>
        Restore(template, state, storedAt, null, null);

    /// <summary>Rebuilds a slot read back from a ledger, with the upload attempt that holds it and its lease.</summary>
    public static Slot Restore(Slot template, SlotState state, DateTimeOffset? storedAt, string? uploadAttempt, DateTimeOffset? uploadLeaseUntil)
    {
        ArgumentNullException.ThrowIfNull(template);
        template.State = state;
        template.StoredAt = storedAt;
        template.UploadAttempt = uploadAttempt;
        template.UploadLeaseUntil = uploadLeaseUntil;
        return template;
    }

    /// <summary>
    /// Pending to Uploading for <paramref name="attempt"/>, holding the slot until <paramref name="leaseUntil"/>. An
    /// Uploading slot whose lease has lapsed is taken over the same way (the old attempt's process is presumed dead),
    /// but only before the PUT deadline, like any other begin. An upload with a live lease is never taken over.
    /// </summary>
    public UploadBegin TryBeginUpload(DateTimeOffset now, string attempt, DateTimeOffset leaseUntil)
    {
        ArgumentException.ThrowIfNullOrEmpty(attempt);
        switch (State)
        {
            case SlotState.Stored:
                return UploadBegin.AlreadyStored;
            case SlotState.Deleted:
                return UploadBegin.Expired;
            case SlotState.Uploading when HoldsLiveLease(now):
                return new UploadBegin(BeginUploadResult.InProgress, LeaseUntil: UploadLeaseUntil);
        }

        if (now >= PutDeadline)
        {
            return UploadBegin.Expired;
        }

        var tookOver = State == SlotState.Uploading;
        State = SlotState.Uploading;
        UploadAttempt = attempt;
        UploadLeaseUntil = leaseUntil;
        return new UploadBegin(BeginUploadResult.Started, attempt, leaseUntil) { TookOver = tookOver };
    }

    /// <summary>
    /// Moves the lease of <paramref name="attempt"/> to <paramref name="leaseUntil"/> while it still holds the slot,
    /// even if the lease had lapsed meanwhile (nobody took over, so the attempt is still the one streaming); false once
    /// another attempt holds it or the upload has ended.
    /// </summary>
    public bool TryRenewUpload(string attempt, DateTimeOffset leaseUntil)
    {
        if (!IsHeldBy(attempt))
        {
            return false;
        }

        UploadLeaseUntil = leaseUntil;
        return true;
    }

    /// <summary>
    /// Commits a finished upload of <paramref name="attempt"/>; only the attempt holding the slot can commit it, whether
    /// or not its lease has lapsed. Asked again by the attempt that stored it, the answer is true again: the first
    /// answer may have been lost with the connection to the ledger.
    /// </summary>
    public bool TryComplete(DateTimeOffset now, string attempt)
    {
        if (State == SlotState.Stored && string.Equals(UploadAttempt, attempt, StringComparison.Ordinal))
        {
            return true;
        }

        if (!IsHeldBy(attempt))
        {
            return false;
        }

        State = SlotState.Stored;
        StoredAt = now;
        UploadLeaseUntil = null;
        return true;
    }

    /// <summary>A failed or cut-off upload leaves nothing behind and lets the client try again until the deadline.</summary>
    public bool TryAbort(string attempt)
    {
        if (!IsHeldBy(attempt))
        {
            return false;
        }

        ReturnToPending();
        return true;
    }

    /// <summary>
    /// At the start of the process that streamed it: an upload whatever its attempt goes back to Pending, since that
    /// process's uploads all died with it.
    /// </summary>
    public bool TryResetInterrupted()
    {
        if (State != SlotState.Uploading)
        {
            return false;
        }

        ReturnToPending();
        return true;
    }

    /// <summary>
    /// An upload that nobody can finish or take over any more: its lease lapsed and its PUT deadline passed. Its
    /// reservation is released by the sweeper (any bytes its dead attempt committed go with the slot).
    /// </summary>
    public bool IsAbandoned(DateTimeOffset now) =>
        State == SlotState.Uploading && !HoldsLiveLease(now) && now >= PutDeadline;

    public bool IsServable(DateTimeOffset now) =>
        State == SlotState.Stored && (ExpiresAt is null || now < ExpiresAt.Value);

    // A lease of null (an Uploading row written before leases existed) holds nothing.
    private bool HoldsLiveLease(DateTimeOffset now) => UploadLeaseUntil is { } until && now < until;

    private bool IsHeldBy(string attempt) =>
        State == SlotState.Uploading && string.Equals(UploadAttempt, attempt, StringComparison.Ordinal);

    private void ReturnToPending()
    {
        State = SlotState.Pending;
        UploadAttempt = null;
        UploadLeaseUntil = null;
    }
}
