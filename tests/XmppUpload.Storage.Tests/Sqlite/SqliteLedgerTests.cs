using Microsoft.Data.Sqlite;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.Sqlite;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests.Sqlite;

public sealed class SqliteLedgerTests : IDisposable
{
    private readonly LedgerFixture _fixture = new();
    private readonly FakeTimeProvider _time = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _fixture.Dispose();

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
        var now = _time.GetUtcNow();
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
        var ledger = _fixture.Open();

        await ledger.CreateSlotAsync(slot, Ct);
        var found = await _fixture.Open().FindSlotAsync(slot.Id, Ct);

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
        var now = _time.GetUtcNow();
        var slot = TestSlots.New(now.AddTicks(9_999), expiresAt: now.AddHours(1).AddTicks(9_999));
        var ledger = _fixture.Open();

        await ledger.CreateSlotAsync(slot, Ct);
        var found = await ledger.FindSlotAsync(slot.Id, Ct);

        Assert.Equal(now, found!.CreatedAt);
        Assert.Equal(now.AddHours(1), found.ExpiresAt);
    }

    [Fact]
    public async Task FindSlot_UnknownId_ReturnsNull()
    {
        Assert.Null(await _fixture.Open().FindSlotAsync(SlotIds.New(), Ct));
    }

    [Fact]
    public async Task CreateSlot_DuplicateId_Throws()
    {
        var slot = TestSlots.New(_time.GetUtcNow());
        var ledger = _fixture.Open();
        await ledger.CreateSlotAsync(slot, Ct);

        await Assert.ThrowsAsync<SqliteException>(() => ledger.CreateSlotAsync(slot, Ct));
    }

    [Fact]
    public async Task ResetInterruptedUploads_NothingInterrupted_ReturnsZero()
    {
        var (ledger, _) = await CreateAsync();

        Assert.Equal(0, await ledger.ResetInterruptedUploadsAsync(Ct));
    }

    private async Task<(SqliteLedger Ledger, Slot Slot)> CreateAsync(SqliteLedger? ledger = null)
    {
        ledger ??= _fixture.Open();
        var slot = TestSlots.New(_time.GetUtcNow());
        await ledger.CreateSlotAsync(slot, Ct);
        return (ledger, slot);
    }
}
