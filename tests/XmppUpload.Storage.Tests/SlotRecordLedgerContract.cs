using System.Data.Common;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;

namespace XmppUpload.Storage.Tests;

/// <summary>
/// How every ledger keeps a slot's record, run against each one by a subclass: every field round-trips through another
/// ledger on the same store, times to the millisecond; an id is unique.
/// </summary>
public abstract class SlotRecordLedgerContract<TLedger> : LedgerContract<TLedger>
    where TLedger : ILedger, IAccountLedger, ISweepLedger
{
    public static TheoryData<string, string?, Purpose, bool> RoundTripCases => new()
    {
        { "Très jolie фото 写真 🌹.jpeg", "image/jpeg", Purpose.Message, false },
        { "notes without type", null, Purpose.Permanent, false },
        { "станция.mp4", "video/mp4; codecs=\"avc1\"", Purpose.Ephemeral, true },
    };

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public async Task CreateThenFind_RoundTripsEveryField(string fileName, string? contentType, Purpose purpose, bool withExpiry)
    {
        var now = Time.GetUtcNow();
        var slot = new Slot
        {
            Id = SlotIds.New(),
            Owner = "ромео@montague.example",
            FileName = fileName,
            Size = 5_000_000_000,
            ContentType = contentType,
            Purpose = purpose,
            CreatedAt = now,
            PutDeadline = now.AddSeconds(300),
            ExpiresAt = withExpiry ? now.AddHours(6).AddMilliseconds(250) : null,
        };
        var ledger = OpenLedger();

        await ledger.CreateSlotAsync(slot, Ct);
        var found = await OpenLedger().FindSlotAsync(slot.Id, Ct);

        Assert.NotNull(found);
        Assert.Equal(slot.Id, found.Id);
        Assert.Equal(slot.Owner, found.Owner);
        Assert.Equal(fileName, found.FileName);
        Assert.Equal(slot.Size, found.Size);
        Assert.Equal(contentType, found.ContentType);
        Assert.Equal(purpose, found.Purpose);
        Assert.Equal(slot.CreatedAt, found.CreatedAt);
        Assert.Equal(slot.PutDeadline, found.PutDeadline);
        Assert.Equal(slot.ExpiresAt, found.ExpiresAt);
        Assert.Equal(SlotState.Pending, found.State);
        Assert.Null(found.StoredAt);
    }

    [Fact]
    public async Task CreateThenFind_SubMillisecondTimes_AreKeptToTheMillisecondRoundingDown()
    {
        var now = Time.GetUtcNow();
        var slot = TestSlots.New(now.AddTicks(9_999), expiresAt: now.AddHours(1).AddTicks(9_999));
        var ledger = OpenLedger();

        await ledger.CreateSlotAsync(slot, Ct);
        var found = await ledger.FindSlotAsync(slot.Id, Ct);

        Assert.Equal(now, found!.CreatedAt);
        Assert.Equal(now.AddHours(1), found.ExpiresAt);
    }

    [Fact]
    public async Task FindSlot_UnknownId_ReturnsNull()
    {
        Assert.Null(await OpenLedger().FindSlotAsync(SlotIds.New(), Ct));
    }

    [Fact]
    public async Task CreateSlot_DuplicateId_Throws()
    {
        var slot = TestSlots.New(Time.GetUtcNow());
        var ledger = OpenLedger();
        await ledger.CreateSlotAsync(slot, Ct);

        var error = await Assert.ThrowsAnyAsync<DbException>(() => ledger.CreateSlotAsync(slot, Ct));
        Assert.True(IsDuplicateKey(error), error.ToString());
    }

    [Fact]
    public async Task ResetInterruptedUploads_NothingInterrupted_ReturnsZero()
    {
        var ledger = OpenLedger();
        await ledger.CreateSlotAsync(TestSlots.New(Now), Ct);

        Assert.Equal(0, await ledger.ResetInterruptedUploadsAsync(Ct));
    }

    /// <summary>Whether the error is this store's refusal of a second row with the same key.</summary>
    protected abstract bool IsDuplicateKey(DbException error);
}
