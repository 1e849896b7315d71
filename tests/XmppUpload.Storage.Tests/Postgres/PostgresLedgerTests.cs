using Npgsql;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.Postgres;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests.Postgres;

public sealed class PostgresLedgerTests(PostgresServerFixture server) : PostgresTestBase(server)
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
        var ledger = Fixture.Open();

        await ledger.CreateSlotAsync(slot, Ct);
        var found = await Fixture.Open().FindSlotAsync(slot.Id, Ct);

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
        var ledger = Fixture.Open();

        await ledger.CreateSlotAsync(slot, Ct);
        var found = await ledger.FindSlotAsync(slot.Id, Ct);

        Assert.Equal(now, found!.CreatedAt);
        Assert.Equal(now.AddHours(1), found.ExpiresAt);
    }

    [Fact]
    public async Task FindSlot_UnknownId_ReturnsNull()
    {
        Assert.Null(await Fixture.Open().FindSlotAsync(SlotIds.New(), Ct));
    }

    [Fact]
    public async Task CreateSlot_DuplicateId_Throws()
    {
        var slot = TestSlots.New(Time.GetUtcNow());
        var ledger = Fixture.Open();
        await ledger.CreateSlotAsync(slot, Ct);

        await Assert.ThrowsAsync<PostgresException>(() => ledger.CreateSlotAsync(slot, Ct));
    }

    [Fact]
    public async Task TryBeginUpload_PendingBeforeDeadline_StartsAndRecordsUploading()
    {
        var (ledger, slot) = await CreateAsync();

        var result = await ledger.TryBeginUploadAsync(slot.Id, slot.PutDeadline.AddMilliseconds(-1), Ct);

        Assert.Equal(BeginUploadResult.Started, result);
        Assert.Equal(SlotState.Uploading, (await Fixture.Open().FindSlotAsync(slot.Id, Ct))!.State);
    }

    [Fact]
    public async Task TryBeginUpload_AtTheDeadline_IsExpiredAndStaysPending()
    {
        var (ledger, slot) = await CreateAsync();

        var result = await ledger.TryBeginUploadAsync(slot.Id, slot.PutDeadline, Ct);

        Assert.Equal(BeginUploadResult.Expired, result);
        Assert.Equal(SlotState.Pending, (await ledger.FindSlotAsync(slot.Id, Ct))!.State);
    }

    [Fact]
    public async Task TryBeginUpload_WhileUploading_IsInProgress()
    {
        var (ledger, slot) = await CreateAsync();
        await ledger.TryBeginUploadAsync(slot.Id, Time.GetUtcNow(), Ct);

        var result = await ledger.TryBeginUploadAsync(slot.Id, Time.GetUtcNow(), Ct);

        Assert.Equal(BeginUploadResult.InProgress, result);
    }

    [Fact]
    public async Task TryBeginUpload_StoredSlot_IsAlreadyStored()
    {
        var (ledger, slot) = await CreateAsync();
        await ledger.TryBeginUploadAsync(slot.Id, Time.GetUtcNow(), Ct);
        await ledger.TryCompleteUploadAsync(slot.Id, Time.GetUtcNow(), Ct);

        var result = await ledger.TryBeginUploadAsync(slot.Id, Time.GetUtcNow(), Ct);

        Assert.Equal(BeginUploadResult.AlreadyStored, result);
        Assert.Equal(SlotState.Stored, (await ledger.FindSlotAsync(slot.Id, Ct))!.State);
    }

    [Fact]
    public async Task TryBeginUpload_UnknownSlot_IsNotFound()
    {
        var result = await Fixture.Open().TryBeginUploadAsync(SlotIds.New(), Time.GetUtcNow(), Ct);

        Assert.Equal(BeginUploadResult.NotFound, result);
    }

    [Fact]
    public async Task TryBeginUpload_CancelledToken_ThrowsAndChangesNothing()
    {
        var (ledger, slot) = await CreateAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ledger.TryBeginUploadAsync(slot.Id, Time.GetUtcNow(), cancelled.Token));

        Assert.Equal(SlotState.Pending, (await ledger.FindSlotAsync(slot.Id, Ct))!.State);
    }

    [Fact]
    public async Task TryCompleteUpload_Uploading_StoresWithTheCompletionTime()
    {
        var (ledger, slot) = await CreateAsync();
        await ledger.TryBeginUploadAsync(slot.Id, Time.GetUtcNow(), Ct);
        Time.Advance(TimeSpan.FromSeconds(42));

        var completed = await ledger.TryCompleteUploadAsync(slot.Id, Time.GetUtcNow(), Ct);

        Assert.True(completed);
        var found = await Fixture.Open().FindSlotAsync(slot.Id, Ct);
        Assert.Equal(SlotState.Stored, found!.State);
        Assert.Equal(Time.GetUtcNow(), found.StoredAt);
        Assert.True(found.IsServable(Time.GetUtcNow()));
    }

    [Fact]
    public async Task TryCompleteUpload_PendingSlot_IsRefusedAndChangesNothing()
    {
        var (ledger, slot) = await CreateAsync();

        Assert.False(await ledger.TryCompleteUploadAsync(slot.Id, Time.GetUtcNow(), Ct));

        var found = await ledger.FindSlotAsync(slot.Id, Ct);
        Assert.Equal(SlotState.Pending, found!.State);
        Assert.Null(found.StoredAt);
    }

    [Fact]
    public async Task TryCompleteUpload_UnknownSlot_IsRefused()
    {
        Assert.False(await Fixture.Open().TryCompleteUploadAsync(SlotIds.New(), Time.GetUtcNow(), Ct));
    }

    [Fact]
    public async Task TryAbortUpload_Uploading_ReturnsToPendingAndAllowsAnotherPut()
    {
        var (ledger, slot) = await CreateAsync();
        await ledger.TryBeginUploadAsync(slot.Id, Time.GetUtcNow(), Ct);

        Assert.True(await ledger.TryAbortUploadAsync(slot.Id, Ct));

        Assert.Equal(SlotState.Pending, (await ledger.FindSlotAsync(slot.Id, Ct))!.State);
        Assert.Equal(BeginUploadResult.Started, await ledger.TryBeginUploadAsync(slot.Id, Time.GetUtcNow(), Ct));
    }

    [Fact]
    public async Task TryAbortUpload_PendingOrStoredSlot_IsRefusedAndChangesNothing()
    {
        var (ledger, pending) = await CreateAsync();
        var (_, stored) = await CreateAsync(ledger);
        await ledger.TryBeginUploadAsync(stored.Id, Time.GetUtcNow(), Ct);
        await ledger.TryCompleteUploadAsync(stored.Id, Time.GetUtcNow(), Ct);

        Assert.False(await ledger.TryAbortUploadAsync(pending.Id, Ct));
        Assert.False(await ledger.TryAbortUploadAsync(stored.Id, Ct));

        Assert.Equal(SlotState.Pending, (await ledger.FindSlotAsync(pending.Id, Ct))!.State);
        Assert.Equal(SlotState.Stored, (await ledger.FindSlotAsync(stored.Id, Ct))!.State);
    }

    [Fact]
    public async Task TryAbortUpload_UnknownSlot_IsRefused()
    {
        Assert.False(await Fixture.Open().TryAbortUploadAsync(SlotIds.New(), Ct));
    }

    [Fact]
    public async Task TryBeginUpload_ConcurrentCallers_ExactlyOneStarts()
    {
        var (ledger, slot) = await CreateAsync();
        var now = Time.GetUtcNow();

        var results = await Task.WhenAll(Enumerable.Range(0, 32)
            .Select(_ => Task.Run(() => ledger.TryBeginUploadAsync(slot.Id, now, Ct), Ct)));

        Assert.Single(results, r => r == BeginUploadResult.Started);
        Assert.Equal(31, results.Count(r => r == BeginUploadResult.InProgress));
        Assert.Equal(SlotState.Uploading, (await ledger.FindSlotAsync(slot.Id, Ct))!.State);
    }

    [Fact]
    public async Task TryBeginUpload_ConcurrentCallersOnSeveralLedgers_ExactlyOneStartsPerSlot()
    {
        // Four ledgers are four nodes: separate pools, no in-process lock; only the slot's row lock serialises them.
        var ledgers = Enumerable.Range(0, 4).Select(_ => Fixture.Open()).ToArray();
        var slots = new List<Slot>();
        for (var i = 0; i < 8; i++)
        {
            slots.Add((await CreateAsync(ledgers[0])).Slot);
        }

        var now = Time.GetUtcNow();
        var attempts = slots.SelectMany(slot => Enumerable.Range(0, 16).Select(i => (slot.Id, Ledger: ledgers[i % ledgers.Length]))).ToArray();

        var results = await Task.WhenAll(attempts.Select(a => Task.Run(async () => (a.Id, Result: await a.Ledger.TryBeginUploadAsync(a.Id, now, Ct)), Ct)));

        Assert.All(results.GroupBy(r => r.Id), perSlot =>
        {
            Assert.Single(perSlot, r => r.Result == BeginUploadResult.Started);
            Assert.All(perSlot.Where(r => r.Result != BeginUploadResult.Started), r => Assert.Equal(BeginUploadResult.InProgress, r.Result));
        });
    }

    [Fact]
    public async Task ResetInterruptedUploads_UploadingSlots_ReturnToPendingAndOthersStay()
    {
        var (ledger, pending) = await CreateAsync();
        var (_, uploadingA) = await CreateAsync(ledger);
        var (_, uploadingB) = await CreateAsync(ledger);
        var (_, stored) = await CreateAsync(ledger);
        var now = Time.GetUtcNow();
        await ledger.TryBeginUploadAsync(uploadingA.Id, now, Ct);
        await ledger.TryBeginUploadAsync(uploadingB.Id, now, Ct);
        await ledger.TryBeginUploadAsync(stored.Id, now, Ct);
        await ledger.TryCompleteUploadAsync(stored.Id, now, Ct);
        await ledger.DisposeAsync();

        var restarted = Fixture.Open();
        var reset = await restarted.ResetInterruptedUploadsAsync(Ct);

        Assert.Equal(2, reset);
        Assert.Equal(SlotState.Pending, (await restarted.FindSlotAsync(pending.Id, Ct))!.State);
        Assert.Equal(SlotState.Pending, (await restarted.FindSlotAsync(uploadingA.Id, Ct))!.State);
        Assert.Equal(SlotState.Pending, (await restarted.FindSlotAsync(uploadingB.Id, Ct))!.State);
        var storedNow = await restarted.FindSlotAsync(stored.Id, Ct);
        Assert.Equal(SlotState.Stored, storedNow!.State);
        Assert.Equal(now, storedNow.StoredAt);
        Assert.Equal(BeginUploadResult.Started, await restarted.TryBeginUploadAsync(uploadingA.Id, now, Ct));
    }

    [Fact]
    public async Task ResetInterruptedUploads_UploadsOfAnotherNode_AreLeftStreaming()
    {
        var (ledger, mine) = await CreateAsync();
        var other = Fixture.Open("node-b");
        var (_, theirs) = await CreateAsync(other);
        var now = Time.GetUtcNow();
        await ledger.TryBeginUploadAsync(mine.Id, now, Ct);
        await other.TryBeginUploadAsync(theirs.Id, now, Ct);
        await ledger.DisposeAsync();

        var restarted = Fixture.Open();
        Assert.Equal(1, await restarted.ResetInterruptedUploadsAsync(Ct));

        Assert.Equal(SlotState.Pending, (await restarted.FindSlotAsync(mine.Id, Ct))!.State);
        Assert.Equal(SlotState.Uploading, (await restarted.FindSlotAsync(theirs.Id, Ct))!.State);
        Assert.True(await other.TryCompleteUploadAsync(theirs.Id, now, Ct));
    }

    [Fact]
    public async Task ResetInterruptedUploads_NothingInterrupted_ReturnsZero()
    {
        var (ledger, _) = await CreateAsync();

        Assert.Equal(0, await ledger.ResetInterruptedUploadsAsync(Ct));
    }

    private async Task<(PostgresLedger Ledger, Slot Slot)> CreateAsync(PostgresLedger? ledger = null)
    {
        ledger ??= Fixture.Open();
        var slot = TestSlots.New(Time.GetUtcNow());
        await ledger.CreateSlotAsync(slot, Ct);
        return (ledger, slot);
    }
}
