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
    public async Task Ledger_AfterThePostgresSessionsOfItsPoolWereTerminated_RecoversWithoutBeingReopened()
    {
        // What a PostgreSQL restart does to the connections idle in a node's pool: each session is ended by the server
        // (FATAL 57P01, admin_shutdown) and its socket closed. The node must not need a restart: the first call may fail
        // on a broken connection, and Npgsql then discards it and clears the rest of the pool (Npgsql 6.0 and later),
        // so no later call is handed another broken connection.
        var ledger = Fixture.Open();
        var slots = new List<Slot>();
        for (var i = 0; i < 8; i++)
        {
            slots.Add((await CreateAsync(ledger)).Slot);
        }

        // Concurrent reads leave several connections idle in the pool.
        await Task.WhenAll(slots.Select(slot => Task.Run(() => ledger.FindSlotAsync(slot.Id, Ct), Ct)));
        var terminated = (long)Fixture.Scalar(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM ("
            + "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' "
            + "AND pid <> pg_backend_pid() OFFSET 0) AS pooled")!;
        Assert.True(terminated >= 2, $"only {terminated} pooled sessions to end");

        var failures = 0;
        for (var i = 0; i < 3 * slots.Count; i++)
        {
            try
            {
                Assert.Equal(SlotState.Pending, (await ledger.FindSlotAsync(slots[i % slots.Count].Id, Ct))!.State);
            }
            catch (NpgsqlException)
            {
                failures++;
            }
        }

        Assert.InRange(failures, 0, 1);
        Assert.Equal(BeginUploadResult.Started, (await ledger.TryBeginUploadAsync(slots[0].Id, Now, LedgerUploads.Lease, Ct)).Outcome);
    }

    [Fact]
    public async Task ResetInterruptedUploads_UploadsOfAnotherNode_AreLeftStreaming()
    {
        var (ledger, mine) = await CreateAsync();
        var other = Fixture.Open("node-b");
        var (_, theirs) = await CreateAsync(other);
        await ledger.BeginUploadAsync(mine.Id, Now, Ct);
        var theirAttempt = await other.BeginUploadAsync(theirs.Id, Now, Ct);
        await ledger.DisposeAsync();

        var restarted = Fixture.Open();
        Assert.Equal(1, await restarted.ResetInterruptedUploadsAsync(Ct));

        Assert.Equal(SlotState.Pending, (await restarted.FindSlotAsync(mine.Id, Ct))!.State);
        Assert.Equal(SlotState.Uploading, (await restarted.FindSlotAsync(theirs.Id, Ct))!.State);
        Assert.True(await other.TryCompleteUploadAsync(theirs.Id, theirAttempt, Now, Ct));
    }

    [Fact]
    public async Task ResetInterruptedUploads_AnUploadAnotherNodeTookOver_IsLeftToThatNode()
    {
        // Node A died mid-upload; a retry on node B took the slot over; then A comes back.
        var (nodeA, slot) = await CreateAsync();
        await nodeA.BeginUploadAsync(slot.Id, Now, Ct);
        await nodeA.DisposeAsync();
        Time.Advance(LedgerUploads.Lease);
        var nodeB = Fixture.Open("node-b");
        var attemptB = await nodeB.BeginUploadAsync(slot.Id, Now, Ct);

        Assert.Equal(0, await Fixture.Open().ResetInterruptedUploadsAsync(Ct));

        Assert.True(await nodeB.TryCompleteUploadAsync(slot.Id, attemptB, Now, Ct));
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
