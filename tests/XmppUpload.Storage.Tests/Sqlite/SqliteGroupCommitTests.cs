using Microsoft.Data.Sqlite;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Slots;
using XmppUpload.Testing;
using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage.Tests.Sqlite;

/// <summary>
/// Writes that queue while another transaction holds the database commit together, each in a savepoint of its own.
/// The database's write lock is held by a raw connection (as an operator's command in another process would hold
/// it) so that the writes are sure to queue behind it.
/// </summary>
public sealed class SqliteGroupCommitTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WritesQueuedBehindALock_CommitInOneBatch_AndEveryOneTakesEffect()
    {
        using var fixture = new LedgerFixture();
        var ledger = fixture.Open();
        var now = DateTimeOffset.UtcNow;
        await ledger.MigrateAsync(Token);
        var slots = Enumerable.Range(0, 20).Select(_ => TestSlots.New(now)).ToList();

        Task[] writes;
        using (HoldWriteLock(fixture))
        {
            var first = ledger.CreateSlotAsync(slots[0], Token);
            // The first write's batch now waits at BEGIN IMMEDIATE; these queue behind it.
            writes = [first, .. slots.Skip(1).Select(slot => ledger.CreateSlotAsync(slot, Token))];
            Assert.DoesNotContain(writes, write => write.IsCompleted);
        }

        await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30), Token);
        foreach (var slot in slots)
        {
            Assert.Equal(SlotState.Pending, (await ledger.FindSlotAsync(slot.Id, Token))!.State);
        }

        // Twenty writes, one disk wait per batch: the held write (with whichever others it had taken), then the rest.
        Assert.InRange(ledger.CommittedBatches, 1, 2);
    }

    [Fact]
    public async Task Writes_KeepOneCommandPerStatementOnTheWriter_AndLaterRoundsAddNone()
    {
        using var fixture = new LedgerFixture();
        var ledger = fixture.Open();
        var now = DateTimeOffset.UtcNow;
        var limits = new AccountLimits(
            new BucketPolicy(Purpose.Message, true, 1L << 40, TimeSpan.FromDays(30), 1L << 40, OverQuotaRule.EvictOldest),
            1000,
            TimeSpan.FromMinutes(5),
            null);

        async Task RequestAndUploadAsync()
        {
            var slot = TestSlots.New(now);
            Assert.True((await ledger.ReserveSlotAsync(slot, limits, now, Token)).IsGranted);
            await ledger.StoreUploadAsync(slot.Id, now, Token);
        }

        await RequestAndUploadAsync();
        var compiled = ledger.CompiledWriterStatements;
        for (var i = 0; i < 10; i++)
        {
            await RequestAndUploadAsync();
        }

        // A request and an upload take a handful of statements, compiled by the first round; ten more add none.
        Assert.InRange(compiled, 5, 20);
        Assert.Equal(compiled, ledger.CompiledWriterStatements);
        Assert.Equal(11, (await ledger.ListFilesAsync(TestSlots.Juliet, now, Token)).Count);

        ledger.Dispose();
        Assert.Equal(0, ledger.CompiledWriterStatements);
    }

    [Fact]
    public async Task AWriteThatFailsInABatch_FailsAlone_AndTheOthersCommit()
    {
        using var fixture = new LedgerFixture();
        var ledger = fixture.Open();
        var now = DateTimeOffset.UtcNow;
        var existing = TestSlots.New(now);
        await ledger.CreateSlotAsync(existing, Token);
        var before = TestSlots.New(now);
        var after = TestSlots.New(now);

        Task blocker, first, duplicate, second;
        using (HoldWriteLock(fixture))
        {
            blocker = ledger.CreateSlotAsync(TestSlots.New(now), Token);
            first = ledger.CreateSlotAsync(before, Token);
            // Same id as a slot already stored: the primary key refuses it.
            duplicate = ledger.CreateSlotAsync(
                new Slot { Id = existing.Id, Owner = TestSlots.Romeo, FileName = "other.bin", Size = 1, Purpose = Purpose.Message, CreatedAt = now, PutDeadline = now.AddSeconds(300) },
                Token);
            second = ledger.CreateSlotAsync(after, Token);
        }

        await Task.WhenAll(blocker, first, second).WaitAsync(TimeSpan.FromSeconds(30), Token);
        var refused = await Assert.ThrowsAsync<SqliteException>(() => duplicate);
        Assert.Equal(19, refused.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.NotNull(await ledger.FindSlotAsync(before.Id, Token));
        Assert.NotNull(await ledger.FindSlotAsync(after.Id, Token));
        Assert.Equal(existing.FileName, (await ledger.FindSlotAsync(existing.Id, Token))!.FileName);
    }

    [Fact]
    public async Task AWriteWhoseCallerGivesUpWhileQueued_IsCancelled_AndNeverApplied()
    {
        using var fixture = new LedgerFixture();
        var ledger = fixture.Open();
        var now = DateTimeOffset.UtcNow;
        await ledger.MigrateAsync(Token);
        var abandoned = TestSlots.New(now);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Token);

        Task blocker, cancelled;
        using (HoldWriteLock(fixture))
        {
            blocker = ledger.CreateSlotAsync(TestSlots.New(now), Token);
            cancelled = ledger.CreateSlotAsync(abandoned, giveUp.Token);
            await giveUp.CancelAsync();
        }

        await blocker.WaitAsync(TimeSpan.FromSeconds(30), Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Null(await ledger.FindSlotAsync(abandoned.Id, Token));
    }

    /// <summary>Holds the database's write lock until disposed, as a writer in another process would.</summary>
    private static SqliteConnection HoldWriteLock(LedgerFixture fixture)
    {
        var connection = fixture.OpenRaw();
        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        begin.ExecuteNonQuery();
        return connection;
    }
}
