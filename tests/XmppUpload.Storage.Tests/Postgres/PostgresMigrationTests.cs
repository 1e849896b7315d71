using XmppUpload.Storage.Postgres;

namespace XmppUpload.Storage.Tests.Postgres;

public sealed class PostgresMigrationTests(PostgresServerFixture server) : PostgresTestBase(server)
{
    private const string SelectTables =
        "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'";

    [Fact]
    public void Migrations_AreNumberedFromOneWithoutGaps()
    {
        var versions = PostgresSchema.Migrations.Select(m => m.Version).ToArray();

        Assert.Equal(Enumerable.Range(1, versions.Length), versions);
        Assert.Equal(versions[^1], PostgresSchema.LatestVersion);
    }

    [Fact]
    public async Task Migrate_FreshDatabase_CreatesTheSchemaAndRecordsTheVersion()
    {
        Assert.Equal(PostgresSchema.LatestVersion, await Fixture.Open().MigrateAsync(Ct));

        Assert.Equal(PostgresSchema.LatestVersion, Fixture.Scalar("SELECT MAX(version) FROM schema_migrations"));
        Assert.Equal(
            "accounts,bucket_totals,cluster_secrets,dav_confirmations,dav_jidlist,dav_nonce_counts,dav_properties,dav_resources,schema_migrations,signing_keys,slot_requests,slots",
            Fixture.Scalar(SelectTables));
    }

    [Fact]
    public async Task Migrate_FromVersion1_KeepsTheSigningKeySigningFromItsCreation()
    {
        var created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).ToUnixTimeMilliseconds();
        Fixture.Execute(PostgresSchema.CreateVersionTable);
        Fixture.Execute(PostgresSchema.Migrations[0].Sql);
        Fixture.Execute("INSERT INTO schema_migrations (version) VALUES (1)");
        Fixture.Execute($"INSERT INTO signing_keys (id, secret, created_at) VALUES ('k1', '\\x00', {created.ToString(System.Globalization.CultureInfo.InvariantCulture)})");

        Assert.Equal(PostgresSchema.LatestVersion, await Fixture.Open().MigrateAsync(Ct));

        // Migration 2 makes activates_at NOT NULL: a key from before rotation existed signs from its creation.
        Assert.Equal(created, Fixture.Scalar("SELECT activates_at FROM signing_keys WHERE id = 'k1'"));
        Assert.Equal(DBNull.Value, Fixture.Scalar("SELECT retires_at FROM signing_keys WHERE id = 'k1'") ?? DBNull.Value);
    }

    [Fact]
    public async Task Migrate_FromVersion3_BackfillsTheRunningTotalsOfEveryBucketFromItsRows()
    {
        Fixture.Execute(PostgresSchema.CreateVersionTable);
        foreach (var migration in PostgresSchema.Migrations.Take(3))
        {
            Fixture.Execute(migration.Sql);
            Fixture.Execute($"INSERT INTO schema_migrations (version) VALUES ({migration.Version})");
        }

        Fixture.Execute(BucketTotalsBackfill.InsertSlotsOfEveryState);

        Assert.Equal(PostgresSchema.LatestVersion, await Fixture.Open().MigrateAsync(Ct));

        Assert.Equal(
            BucketTotalsBackfill.ExpectedTotals,
            Fixture.Scalar(
                "SELECT string_agg(owner || '/' || purpose || '=' || stored_bytes || ',' || pending_bytes || ',' || uploading_bytes, ';' "
                + "ORDER BY owner, purpose) FROM bucket_totals"));
    }

    [Fact]
    public async Task Migrate_ThreeNodesAtOnceOnAFreshDatabase_AllSucceedAndEachVersionIsAppliedOnce()
    {
        var ledgers = new[] { Fixture.Open("node-a"), Fixture.Open("node-b"), Fixture.Open("node-c") };
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var runs = ledgers.Select(l => Task.Run(
            async () =>
            {
                await go.Task;
                return await l.MigrateAsync(Ct);
            },
            Ct)).ToArray();
        go.SetResult();

        Assert.All(await Task.WhenAll(runs), v => Assert.Equal(PostgresSchema.LatestVersion, v));
        Assert.Equal((long)PostgresSchema.Migrations.Count, Fixture.Scalar("SELECT COUNT(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Migrate_OpenedTwice_IsIdempotentAndKeepsData()
    {
        var slot = TestSlots.New(Now);
        var first = Fixture.Open();
        await first.MigrateAsync(Ct);
        await first.CreateSlotAsync(slot, Ct);
        await first.DisposeAsync();

        var second = Fixture.Open();
        await second.MigrateAsync(Ct);
        await second.MigrateAsync(Ct);

        Assert.Equal((long)PostgresSchema.Migrations.Count, Fixture.Scalar("SELECT COUNT(*) FROM schema_migrations"));
        Assert.NotNull(await second.FindSlotAsync(slot.Id, Ct));
    }

    [Fact]
    public async Task Migrate_DatabaseFromANewerBuild_IsRefused()
    {
        await Fixture.Open().MigrateAsync(Ct);
        Fixture.Execute("INSERT INTO schema_migrations (version) VALUES (99)");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Fixture.Open().MigrateAsync(Ct));

        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstUse_WithoutMigrate_MigratesOnItsOwn()
    {
        Assert.Null(await Fixture.Open().FindSlotAsync("nosuchslot", Ct));

        Assert.Equal(PostgresSchema.LatestVersion, Fixture.Scalar("SELECT MAX(version) FROM schema_migrations"));
    }

    [Fact]
    public async Task Schema_Times_AreUnixMillisecondsAndNamesLowerCase()
    {
        // The sweeper and quota queries compare these columns as numbers; pin the format.
        var slot = TestSlots.New(Now, expiresAt: Now.AddDays(1));
        await Fixture.Open().CreateSlotAsync(slot, Ct);

        Assert.Equal(slot.PutDeadline.ToUnixTimeMilliseconds(), Fixture.Scalar($"SELECT put_deadline FROM slots WHERE id = '{slot.Id}'"));
        Assert.Equal("pending,message", Fixture.Scalar($"SELECT state || ',' || purpose FROM slots WHERE id = '{slot.Id}'"));
    }
}
