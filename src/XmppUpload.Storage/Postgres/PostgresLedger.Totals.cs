using XmppUpload.Core.Accounts;
using XmppUpload.Core.Ports;

namespace XmppUpload.Storage.Postgres;

// Service-wide totals for the stored-usage gauges; one aggregate over the (state, expires_at, size) index's rows.
public sealed partial class PostgresLedger : IStorageTotals
{
    private const string SelectStoredTotals =
        "SELECT purpose, COUNT(*), COALESCE(SUM(size), 0)::bigint FROM slots WHERE state = 'stored' GROUP BY purpose";

    public async Task<IReadOnlyList<BucketTotal>> GetStoredTotalsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, SelectStoredTotals);
        return await StoredTotalsRows.ReadAsync(command, cancellationToken);
    }
}
