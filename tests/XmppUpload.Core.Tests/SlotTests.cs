using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Tests;

public sealed class SlotTests
{
    private static readonly DateTimeOffset Created = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);

    private static Slot NewSlot(DateTimeOffset? expiresAt = null) => new()
    {
        Id = SlotIds.New(),
        Owner = "romeo@montague.tld",
        FileName = "a.txt",
        Size = 10,
        Purpose = Purpose.Message,
        CreatedAt = Created,
        PutDeadline = Created.AddSeconds(300),
        ExpiresAt = expiresAt,
    };

    [Fact]
    public void NewSlot_IsPendingAndNotServed()
    {
        var slot = NewSlot();

        Assert.Equal(SlotState.Pending, slot.State);
        Assert.False(slot.IsServable(Created));
    }

    [Fact]
    public void BeginThenComplete_StoresAndServes()
    {
        var slot = NewSlot();

        Assert.Equal(BeginUploadResult.Started, slot.TryBeginUpload(Created.AddSeconds(1)));
        Assert.False(slot.IsServable(Created.AddSeconds(2)));
        Assert.True(slot.TryComplete(Created.AddSeconds(2)));

        Assert.Equal(SlotState.Stored, slot.State);
        Assert.Equal(Created.AddSeconds(2), slot.StoredAt);
        Assert.True(slot.IsServable(Created.AddDays(400)));
    }

    [Fact]
    public void Begin_AtOrAfterDeadline_IsExpiredAndStaysPending()
    {
        var slot = NewSlot();

        Assert.Equal(BeginUploadResult.Expired, slot.TryBeginUpload(Created.AddSeconds(300)));
        Assert.Equal(SlotState.Pending, slot.State);
    }

    [Fact]
    public void Begin_WhileUploading_IsInProgress()
    {
        var slot = NewSlot();
        slot.TryBeginUpload(Created);

        Assert.Equal(BeginUploadResult.InProgress, slot.TryBeginUpload(Created));
    }

    [Fact]
    public void Abort_ReturnsToPending_SoTheClientCanRetryBeforeTheDeadline()
    {
        var slot = NewSlot();
        slot.TryBeginUpload(Created);

        Assert.True(slot.TryAbort());
        Assert.Equal(SlotState.Pending, slot.State);
        Assert.Equal(BeginUploadResult.Started, slot.TryBeginUpload(Created.AddSeconds(299)));
    }

    [Fact]
    public void Begin_AfterStored_IsAlreadyStored()
    {
        var slot = NewSlot();
        slot.TryBeginUpload(Created);
        slot.TryComplete(Created);

        Assert.Equal(BeginUploadResult.AlreadyStored, slot.TryBeginUpload(Created));
        Assert.False(slot.TryAbort());
        Assert.Equal(SlotState.Stored, slot.State);
    }

    [Fact]
    public void Complete_WithoutUpload_IsRefused()
    {
        var slot = NewSlot();

        Assert.False(slot.TryComplete(Created));
        Assert.Equal(SlotState.Pending, slot.State);
    }

    [Fact]
    public void Stored_IsNotServedFromItsExpiry()
    {
        // XEP-0363 "Ephemeral": MUST NOT make the file available after expire-before.
        var expiry = Created.AddHours(1);
        var slot = NewSlot(expiry);
        slot.TryBeginUpload(Created);
        slot.TryComplete(Created);

        Assert.True(slot.IsServable(expiry.AddTicks(-1)));
        Assert.False(slot.IsServable(expiry));
    }

    [Fact]
    public void Restore_KeepsStateAndStoredTime()
    {
        var slot = Slot.Restore(NewSlot(), SlotState.Stored, Created.AddMinutes(1));

        Assert.Equal(SlotState.Stored, slot.State);
        Assert.Equal(Created.AddMinutes(1), slot.StoredAt);
    }
}
