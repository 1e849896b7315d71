using System.Globalization;
using Microsoft.Data.Sqlite;
using XmppUpload.Core.Slots;
using XmppUpload.Storage.Sqlite;
using XmppUpload.Testing;

namespace XmppUpload.Storage.Tests.Sqlite;

public sealed class SqliteMigrationTests : IDisposable
{
    private readonly LedgerFixture _fixture = new();
    private readonly FakeTimeProvider _time = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Migrations_AreNumberedFromOneWithoutGaps()
    {
        var versions = SqliteSchema.Migrations.Select(m => m.Version).ToArray();

        Assert.Equal(Enumerable.Range(1, versions.Length), versions);
        Assert.Equal(versions[^1], SqliteSchema.LatestVersion);
    }

    [Fact]
    public async Task Migrate_FreshDatabase_CreatesTheSchemaInWalMode()
    {
        await _fixture.Open().MigrateAsync(Ct);

        Assert.Equal((long)SqliteSchema.LatestVersion, _fixture.Scalar("PRAGMA user_version"));
        Assert.Equal("wal", _fixture.Scalar("PRAGMA journal_mode"));
        var objects = string.Join(",", EnumerateSchemaObjects());
        Assert.Equal(
            "bucket_totals,cluster_secrets,dav_jidlist,dav_properties,dav_resources,dav_resources_blob_key,dav_resources_owner,dav_resources_parent,signing_keys,slot_requests,slot_requests_at,slot_requests_owner_at,slots,slots_bucket_totals_delete,slots_bucket_totals_insert,slots_bucket_totals_update,slots_owner_bucket_deadline,slots_owner_bucket_expiry,slots_state_expires_at,slots_state_put_deadline",
            objects);
    }

    [Fact]
    public async Task Migrate_OpenedTwice_IsIdempotentAndKeepsData()
    {
        var slot = TestSlots.New(_time.GetUtcNow());
        var first = _fixture.Open();
        await first.MigrateAsync(Ct);
        await first.CreateSlotAsync(slot, Ct);
        first.Dispose();

        var second = _fixture.Open();
        await second.MigrateAsync(Ct);
        await second.MigrateAsync(Ct);

        Assert.Equal((long)SqliteSchema.LatestVersion, _fixture.Scalar("PRAGMA user_version"));
        Assert.NotNull(await second.FindSlotAsync(slot.Id, Ct));
    }

    [Fact]
    public async Task Migrate_TwoLedgersAtOnceOnAFreshFile_BothSucceed()
    {
        var first = _fixture.Open();
        var second = _fixture.Open();

        await Task.WhenAll(Task.Run(() => first.MigrateAsync(Ct), Ct), Task.Run(() => second.MigrateAsync(Ct), Ct));

        Assert.Equal((long)SqliteSchema.LatestVersion, _fixture.Scalar("PRAGMA user_version"));
    }

    [Fact]
    public async Task Migrate_FromVersion1_KeepsSlotsAndBackfillsTheLastDaysRequests()
    {
        // The backfill reads SQLite's clock (a migration runs at real time), so these rows are placed around it.
        var wallClock = DateTimeOffset.UtcNow;
        var recent = TestSlots.New(wallClock.AddMinutes(-1));
        var old = TestSlots.New(wallClock.AddDays(-2));
        using (var connection = _fixture.OpenRaw())
        {
            Execute(connection, SqliteSchema.Migrations[0].Sql + "; PRAGMA user_version = 1;");
            foreach (var slot in new[] { recent, old })
            {
                Execute(connection, string.Create(
                    CultureInfo.InvariantCulture,
                    $"INSERT INTO slots (id, owner, file_name, size, purpose, created_at, put_deadline, state) VALUES ('{slot.Id}', '{slot.Owner}', 'f', 1, 'message', {slot.CreatedAt.ToUnixTimeMilliseconds()}, {slot.PutDeadline.ToUnixTimeMilliseconds()}, 'stored')"));
            }
        }

        var ledger = _fixture.Open();
        await ledger.MigrateAsync(Ct);

        Assert.Equal((long)SqliteSchema.LatestVersion, _fixture.Scalar("PRAGMA user_version"));
        Assert.Equal(1L, _fixture.Scalar("SELECT COUNT(*) FROM slot_requests"));
        Assert.Equal(recent.CreatedAt.ToUnixTimeMilliseconds(), _fixture.Scalar("SELECT at FROM slot_requests"));
        Assert.Equal(SlotState.Stored, (await ledger.FindSlotAsync(old.Id, Ct))!.State);
        Assert.Single(await ledger.ListFilesAsync(recent.Owner, wallClock, Ct), f => f.Id == recent.Id);
    }

    [Fact]
    public async Task Migrate_FromVersion3_KeepsTheSigningKeySigningFromItsCreation()
    {
        var created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        using (var connection = _fixture.OpenRaw())
        {
            Execute(connection, string.Join(";\n", SqliteSchema.Migrations.Take(3).Select(m => m.Sql)) + "; PRAGMA user_version = 3;");
            Execute(connection, string.Create(
                CultureInfo.InvariantCulture,
                $"INSERT INTO signing_keys (id, secret, created_at) VALUES ('k1', zeroblob(32), {created.ToUnixTimeMilliseconds()})"));
        }

        var ledger = _fixture.Open();
        await ledger.MigrateAsync(Ct);

        // Migration 4: a key from before rotation existed signs from its creation and has no retirement yet.
        Assert.Equal(created.ToUnixTimeMilliseconds(), _fixture.Scalar("SELECT activates_at FROM signing_keys WHERE id = 'k1'"));
        Assert.Equal(DBNull.Value, _fixture.Scalar("SELECT retires_at FROM signing_keys WHERE id = 'k1'") ?? DBNull.Value);
        var key = Assert.Single(await ledger.GetKeysAsync(TimeProvider.System, Ct));
        Assert.Equal("k1", key.Id);
        Assert.Equal(created, key.ActivatesAt);
    }

    [Fact]
    public async Task Migrate_FromVersion5_BackfillsTheRunningTotalsOfEveryBucketFromItsRows()
    {
        using (var connection = _fixture.OpenRaw())
        {
            Execute(connection, string.Join(";\n", SqliteSchema.Migrations.Take(5).Select(m => m.Sql)) + "; PRAGMA user_version = 5;");
            Execute(connection, BucketTotalsBackfill.InsertSlotsOfEveryState);
        }

        await _fixture.Open().MigrateAsync(Ct);

        Assert.Equal(
            BucketTotalsBackfill.ExpectedTotals,
            _fixture.Scalar(
                "SELECT group_concat(bucket, ';') FROM (SELECT owner || '/' || purpose || '=' || stored_bytes || ',' || pending_bytes || ',' "
                + "|| uploading_bytes AS bucket FROM bucket_totals ORDER BY owner, purpose)"));
    }

    [Fact]
    public async Task Migrate_DatabaseFromANewerBuild_IsRefused()
    {
        _fixture.Execute("PRAGMA user_version = 99");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _fixture.Open().MigrateAsync(Ct));

        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains(_fixture.DatabasePath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstUse_WithoutMigrate_MigratesOnItsOwn()
    {
        var ledger = _fixture.Open();

        Assert.Null(await ledger.FindSlotAsync("nosuchslot", Ct));
        Assert.Equal((long)SqliteSchema.LatestVersion, _fixture.Scalar("PRAGMA user_version"));
    }

    [Fact]
    public async Task Schema_Times_AreIntegerUnixMilliseconds()
    {
        // The sweeper and quota queries compare these columns as numbers; pin the format.
        var now = _time.GetUtcNow();
        var slot = TestSlots.New(now, expiresAt: now.AddDays(1));
        var ledger = _fixture.Open();
        await ledger.CreateSlotAsync(slot, Ct);

        Assert.Equal("integer,integer,integer", _fixture.Scalar(
            $"SELECT typeof(created_at) || ',' || typeof(put_deadline) || ',' || typeof(expires_at) FROM slots WHERE id = '{slot.Id}'"));
        Assert.Equal(slot.PutDeadline.ToUnixTimeMilliseconds(), _fixture.Scalar($"SELECT put_deadline FROM slots WHERE id = '{slot.Id}'"));
        Assert.Equal("pending,message", _fixture.Scalar($"SELECT state || ',' || purpose FROM slots WHERE id = '{slot.Id}'"));
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private IEnumerable<string> EnumerateSchemaObjects()
    {
        using var connection = _fixture.OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger') AND name NOT LIKE 'sqlite_%' ORDER BY name";
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
