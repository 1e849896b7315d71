using System.Data.Common;
using XmppUpload.Core.Accounts;
using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage;

/// <summary>Both ledgers' stored-usage totals as rows of (purpose, count, bytes); each ledger keeps its own SQL.</summary>
internal static class StoredTotalsRows
{
    public static async Task<IReadOnlyList<BucketTotal>> ReadAsync(DbCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var totals = new List<BucketTotal>();
        while (await reader.ReadAsync(cancellationToken))
        {
            totals.Add(new BucketTotal(SlotStateNames.ParsePurpose(reader.GetString(0)), reader.GetInt64(1), reader.GetInt64(2)));
        }

        return totals;
    }
}
