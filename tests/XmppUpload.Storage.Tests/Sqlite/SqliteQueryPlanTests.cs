using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage.Tests.Sqlite;

/// <summary>What SQLite does for the queries every slot request runs: read the index alone, never every row of the table.</summary>
public sealed class SqliteQueryPlanTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BucketTotals_OfASlotRequest_AreAScanOfTheCoveringIndexAlone()
    {
        using var fixture = new LedgerFixture();
        await fixture.Open().MigrateAsync(Token);
        using var connection = fixture.OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + SqliteLedger.SelectBucketTotals;
        command.Parameters.AddWithValue("$owner", TestSlots.Juliet);
        command.Parameters.AddWithValue("$purpose", "message");
        command.Parameters.AddWithValue("$now", 0L);
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        var step = Assert.Single(plan);
        Assert.StartsWith("SEARCH slots USING COVERING INDEX slots_owner_bucket (owner=? AND purpose=? AND state=?)", step, StringComparison.Ordinal);
    }
}
