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

        var begin = slot.TryBeginUpload(Created.AddSeconds(1), "attempt-a", Created.AddSeconds(16));
        Assert.Equal(new UploadBegin(BeginUploadResult.Started, "attempt-a", Created.AddSeconds(16)), begin);
        Assert.False(begin.TookOver);
        Assert.False(slot.IsServable(Created.AddSeconds(2)));
        Assert.True(slot.TryComplete(Created.AddSeconds(2), "attempt-a"));

        Assert.Equal(SlotState.Stored, slot.State);
        Assert.Equal(Created.AddSeconds(2), slot.StoredAt);
        Assert.True(slot.IsServable(Created.AddDays(400)));
    }

    [Fact]
    public void Begin_AtOrAfterDeadline_IsExpiredAndStaysPending()
    {
        var slot = NewSlot();

        Assert.Equal(BeginUploadResult.Expired, slot.TryBeginUpload(Created.AddSeconds(300), "attempt-a", Created.AddSeconds(315)).Outcome);
        Assert.Equal(SlotState.Pending, slot.State);
        Assert.Null(slot.UploadAttempt);
    }

    [Fact]
    public void Begin_WhileAnotherAttemptHoldsALiveLease_IsInProgressAndSaysWhenTheLeaseEnds()
    {
        var slot = NewSlot();
        slot.TryBeginUpload(Created, "attempt-a", Created.AddSeconds(15));

        var begin = slot.TryBeginUpload(Created.AddSeconds(15).AddTicks(-1), "attempt-b", Created.AddSeconds(30));

        Assert.Equal(new UploadBegin(BeginUploadResult.InProgress, null, Created.AddSeconds(15)), begin);
        Assert.Equal("attempt-a", slot.UploadAttempt);
    }

    [Fact]
    public void Begin_OnceTheLeaseHasLapsed_TakesTheSlotOverForTheNewAttempt()
    {
        var slot = NewSlot();
        slot.TryBeginUpload(Created, "attempt-a", Created.AddSeconds(15));

        var begin = slot.TryBeginUpload(Created.AddSeconds(15), "attempt-b", Created.AddSeconds(30));

        Assert.Equal(new UploadBegin(BeginUploadResult.Started, "attempt-b", Created.AddSeconds(30)) { TookOver = true }, begin);
        Assert.Equal(SlotState.Uploading, slot.State);
        Assert.Equal("attempt-b", slot.UploadAttempt);
        Assert.Equal(Created.AddSeconds(30), slot.UploadLeaseUntil);
    }

    [Fact]
    public void Begin_OnALapsedLeaseAfterTheDeadline_IsExpiredAndTheUploadIsAbandoned()
    {
        var slot = NewSlot();
        slot.TryBeginUpload(Created.AddSeconds(290), "attempt-a", Created.AddSeconds(305));

        Assert.False(slot.IsAbandoned(Created.AddSeconds(304)));
        Assert.Equal(BeginUploadResult.InProgress, slot.TryBeginUpload(Created.AddSeconds(304), "attempt-b", Created.AddSeconds(319)).Outcome);
        Assert.Equal(BeginUploadResult.Expired, slot.TryBeginUpload(Created.AddSeconds(305), "attempt-b", Created.AddSeconds(320)).Outcome);
        Assert.True(slot.IsAbandoned(Created.AddSeconds(305)));
        Assert.Equal("attempt-a", slot.UploadAttempt);
    }

    [Fact]
    public void Begin_OnAnUploadWithoutLease_TakesItOver()
    {
        // Written before leases existed: nothing renews it, so it holds nothing.
        var slot = Slot.Restore(NewSlot(), SlotState.Uploading, null);

        var begin = slot.TryBeginUpload(Created, "attempt-b", Created.AddSeconds(15));

        Assert.Equal(BeginUploadResult.Started, begin.Outcome);
        Assert.True(begin.TookOver);
    }

    [Fact]
    public void Renew_ByTheHolder_MovesTheLease_EvenAfterItLapsedIfNobodyTookOver()
    {
        var slot = NewSlot();
        slot.TryBeginUpload(Created, "attempt-a", Created.AddSeconds(15));

        Assert.True(slot.TryRenewUpload("attempt-a", Created.AddSeconds(40)));
        Assert.Equal(Created.AddSeconds(40), slot.UploadLeaseUntil);
        Assert.Equal(BeginUploadResult.InProgress, slot.TryBeginUpload(Created.AddSeconds(39), "attempt-b", Created.AddSeconds(54)).Outcome);
        Assert.True(slot.TryRenewUpload("attempt-a", Created.AddSeconds(60)));
    }

    [Fact]
    public void TakenOverAttempt_CanNeitherRenewNorCompleteNorAbort()
    {
        var slot = NewSlot();
        slot.TryBeginUpload(Created, "attempt-a", Created.AddSeconds(15));
        slot.TryBeginUpload(Created.AddSeconds(20), "attempt-b", Created.AddSeconds(35));

        Assert.False(slot.TryRenewUpload("attempt-a", Created.AddSeconds(50)));
        Assert.False(slot.TryComplete(Created.AddSeconds(21), "attempt-a"));
        Assert.False(slot.TryAbort("attempt-a"));

        Assert.Equal(SlotState.Uploading, slot.State);
        Assert.Equal("attempt-b", slot.UploadAttempt);
        Assert.Equal(Created.AddSeconds(35), slot.UploadLeaseUntil);
        Assert.True(slot.TryComplete(Created.AddSeconds(22), "attempt-b"));
    }

    [Fact]
    public void Complete_AskedAgainByTheAttemptThatStored_IsTrueAndChangesNothing()
    {
        var slot = NewSlot();
        slot.TryBeginUpload(Created, "attempt-a", Created.AddSeconds(15));
        slot.TryComplete(Created.AddSeconds(2), "attempt-a");

        Assert.True(slot.TryComplete(Created.AddSeconds(9), "attempt-a"));
        Assert.False(slot.TryComplete(Created.AddSeconds(9), "attempt-b"));
        Assert.Equal(Created.AddSeconds(2), slot.StoredAt);
    }

    [Fact]
    public void Abort_ReturnsToPending_SoTheClientCanRetryBeforeTheDeadline()
    {
        var slot = NewSlot();
        slot.TryBeginUpload(Created, "attempt-a", Created.AddSeconds(15));

        Assert.True(slot.TryAbort("attempt-a"));
        Assert.Equal(SlotState.Pending, slot.State);
        Assert.Null(slot.UploadAttempt);
        Assert.Null(slot.UploadLeaseUntil);
        Assert.False(slot.TryComplete(Created.AddSeconds(1), "attempt-a"));
        Assert.Equal(BeginUploadResult.Started, slot.TryBeginUpload(Created.AddSeconds(299), "attempt-b", Created.AddSeconds(314)).Outcome);
    }

    [Fact]
    public void ResetInterrupted_ReturnsAnyAttemptsUploadToPending()
    {
        var slot = NewSlot();
        slot.TryBeginUpload(Created, "attempt-a", Created.AddSeconds(15));

        Assert.True(slot.TryResetInterrupted());
        Assert.Equal(SlotState.Pending, slot.State);
        Assert.Null(slot.UploadAttempt);
        Assert.False(slot.TryResetInterrupted());
    }

    [Fact]
    public void Begin_AfterStored_IsAlreadyStored()
    {
        var slot = NewSlot();
        slot.TryBeginUpload(Created, "attempt-a", Created.AddSeconds(15));
        slot.TryComplete(Created, "attempt-a");

        Assert.Equal(BeginUploadResult.AlreadyStored, slot.TryBeginUpload(Created, "attempt-b", Created.AddSeconds(15)).Outcome);
        Assert.False(slot.TryAbort("attempt-a"));
        Assert.False(slot.TryResetInterrupted());
        Assert.Equal(SlotState.Stored, slot.State);
    }

    [Fact]
    public void Complete_WithoutUpload_IsRefused()
    {
        var slot = NewSlot();

        Assert.False(slot.TryComplete(Created, "attempt-a"));
        Assert.Equal(SlotState.Pending, slot.State);
    }

    [Fact]
    public void Stored_IsNotServedFromItsExpiry()
    {
        // XEP-0363 "Ephemeral": MUST NOT make the file available after expire-before.
        var expiry = Created.AddHours(1);
        var slot = NewSlot(expiry);
        slot.TryBeginUpload(Created, "attempt-a", Created.AddSeconds(15));
        slot.TryComplete(Created, "attempt-a");

        Assert.True(slot.IsServable(expiry.AddTicks(-1)));
        Assert.False(slot.IsServable(expiry));
    }

    [Fact]
    public void Restore_KeepsStateStoredTimeAttemptAndLease()
    {
        var slot = Slot.Restore(NewSlot(), SlotState.Uploading, null, "attempt-a", Created.AddMinutes(1));

        Assert.Equal(SlotState.Uploading, slot.State);
        Assert.Null(slot.StoredAt);
        Assert.Equal("attempt-a", slot.UploadAttempt);
        Assert.Equal(Created.AddMinutes(1), slot.UploadLeaseUntil);

        var stored = Slot.Restore(NewSlot(), SlotState.Stored, Created.AddMinutes(1));
        Assert.Equal(SlotState.Stored, stored.State);
        Assert.Equal(Created.AddMinutes(1), stored.StoredAt);
        Assert.Null(stored.UploadAttempt);
    }
}
