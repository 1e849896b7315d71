using XmppUpload.Core.Accounts;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.Sqlite;

// Service-wide totals for the stored-usage gauges; read without a transaction (a dashboard tolerates a moment's skew).
public sealed partial class SqliteLedger : IStorageTotals
{
    private const string SelectStoredTotals =
        "SELECT purpose, COUNT(*), COALESCE(SUM(size), 0) FROM slots WHERE state = 'stored' GROUP BY purpose";

    public async Task<IReadOnlyList<BucketTotal>> GetStoredTotalsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, SelectStoredTotals);
        return await StoredTotalsRows.ReadAsync(command, cancellationToken);
    }
}
