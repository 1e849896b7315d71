namespace XmppUpload.Core.Slots;

/// <summary>
/// One upload slot and the rules of its life cycle: Pending (PUT allowed until <see cref="PutDeadline"/>) to
/// Uploading to Stored (served until <see cref="ExpiresAt"/>) to Deleted. Ledgers persist it and apply these
/// transitions atomically; the rules live here so that every ledger applies the same ones.
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

    /// <summary>Rebuilds a slot read back from a ledger.</summary>
    public static Slot Restore(Slot template, SlotState state, DateTimeOffset? storedAt)
    {
        ArgumentNullException.ThrowIfNull(template);
        template.State = state;
        template.StoredAt = storedAt;
        return template;
    }

    public BeginUploadResult TryBeginUpload(DateTimeOffset now) => State switch
    {
        SlotState.Stored => BeginUploadResult.AlreadyStored,
        SlotState.Deleted => BeginUploadResult.Expired,
        SlotState.Uploading => BeginUploadResult.InProgress,
        _ when now >= PutDeadline => BeginUploadResult.Expired,
        _ => Transition(SlotState.Uploading, BeginUploadResult.Started),
    };

    /// <summary>Commits a finished upload; only an upload in progress can be committed.</summary>
    public bool TryComplete(DateTimeOffset now)
    {
        if (State != SlotState.Uploading)
        {
            return false;
        }

        State = SlotState.Stored;
        StoredAt = now;
        return true;
    }

    /// <summary>A failed or cut-off upload leaves nothing behind and lets the client try again until the deadline.</summary>
    public bool TryAbort()
    {
        if (State != SlotState.Uploading)
        {
            return false;
        }

        State = SlotState.Pending;
        return true;
    }

    public bool IsServable(DateTimeOffset now) =>
        State == SlotState.Stored && (ExpiresAt is null || now < ExpiresAt.Value);

    private BeginUploadResult Transition(SlotState next, BeginUploadResult result)
    {
        State = next;
        return result;
    }
}
