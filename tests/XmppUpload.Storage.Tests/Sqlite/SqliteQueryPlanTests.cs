using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage.Tests.Sqlite;

/// <summary>What SQLite does for the queries every slot request runs: search an index, never read every row of a bucket or table.</summary>
public sealed class SqliteQueryPlanTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BucketTotals_OfASlotRequest_AreIndexSearchesByBucketAndTimeNeverAScan()
    {
        using var fixture = new LedgerFixture();
        await fixture.Open().MigrateAsync(Token);

        var plan = Plan(fixture, SqliteLedger.SelectBucketTotals, ("$owner", TestSlots.Juliet), ("$purpose", "message"), ("$now", 0L));

        // One row of the running totals, twice, and four searches of the bucket's rows by state and a time range: the
        // stored files past their expiry, the pending slots past their deadline, the next expiry and the next lapse.
        var searches = plan.Where(step => step.StartsWith("SEARCH", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal) && step != "SCAN CONSTANT ROW");
        Assert.Equal(2, searches.Count(step => step.StartsWith("SEARCH bucket_totals USING PRIMARY KEY (owner=? AND purpose=?)", StringComparison.Ordinal)));
        Assert.Equal(
            [
                "SEARCH slots USING COVERING INDEX slots_owner_bucket_expiry (owner=? AND purpose=? AND state=? AND expires_at<?)",
                "SEARCH slots USING COVERING INDEX slots_owner_bucket_deadline (owner=? AND purpose=? AND state=? AND put_deadline<?)",
                "SEARCH slots USING COVERING INDEX slots_owner_bucket_expiry (owner=? AND purpose=? AND state=? AND expires_at>?)",
                "SEARCH slots USING COVERING INDEX slots_owner_bucket_deadline (owner=? AND purpose=? AND state=? AND put_deadline>?)",
            ],
            searches.Where(step => step.StartsWith("SEARCH slots", StringComparison.Ordinal)));
    }

    private static List<string> Plan(LedgerFixture fixture, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = fixture.OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        return plan;
    }
}
