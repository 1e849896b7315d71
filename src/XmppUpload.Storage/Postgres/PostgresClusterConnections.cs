using System.Globalization;
using System.Text;
using Npgsql;

namespace XmppUpload.Storage.Postgres;

/// <summary>
/// The dedicated connections of the link lease and the node bus: unpooled (the session is the lease, or the listener),
/// with TCP keepalives on both ends so that a peer that vanished without closing (power loss, a partition) ends the
/// session, and a cheap check every <c>Cluster:ConnectionCheckInterval</c>.
/// </summary>
/// <remarks>
/// The order of detection matters for the lease. The holder checks its session every interval and gives the lease up
/// when a check fails or takes longer than twice the interval: at most three intervals after the last traffic. The
/// server ends a silent session only after <see cref="ServerKeepaliveIdleSeconds"/> plus three probes, about seven
/// intervals after the last traffic (the holder's checks keep the session busy until then). So a holder cut off from
/// PostgreSQL always stops acting on the lease before PostgreSQL frees it for another node.
/// </remarks>
internal static class PostgresClusterConnections
{
    /// <summary>PostgreSQL's application_name holds at most 63 bytes (NAMEDATALEN - 1).</summary>
    private const int MaxApplicationNameBytes = 63;

    private const int ServerKeepaliveCount = 3;

    public static string ConnectionString(string connectionString, string applicationName, TimeSpan checkInterval)
    {
        var keepalive = KeepaliveSeconds(checkInterval);
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // The session is the lease or the listener: it must never go back to a pool or come from one.
            Pooling = false,
            ApplicationName = ApplicationName(applicationName),
            TcpKeepAlive = true,
            TcpKeepAliveTime = ServerKeepaliveIdleSeconds(checkInterval),
            TcpKeepAliveInterval = keepalive,
            // The check has its own deadline; on a broken network, waiting for the answer to a cancel request only
            // delays the moment the connection is given up.
            CancellationTimeout = -1,
            KeepAlive = 0,
        };
        return builder.ConnectionString;
    }

    /// <summary>
    /// Sets the server side of the session's TCP keepalives (user-settable parameters; PostgreSQL ignores them on a Unix
    /// socket), so that PostgreSQL ends the session of a node that vanished, freeing its lease.
    /// </summary>
    public static async Task ConfigureSessionAsync(NpgsqlConnection connection, TimeSpan checkInterval, CancellationToken cancellationToken)
    {
        var idle = ServerKeepaliveIdleSeconds(checkInterval);
        var interval = KeepaliveSeconds(checkInterval);
        var sql = string.Create(
            CultureInfo.InvariantCulture,
            $"SET tcp_keepalives_idle = {idle}; SET tcp_keepalives_interval = {interval}; SET tcp_keepalives_count = {ServerKeepaliveCount}; SET tcp_user_timeout = {(idle + (interval * ServerKeepaliveCount)) * 1000}");
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Waits one interval for a message from the server (a notification; a broken connection throws at once), then,
    /// when none came, proves the session alive with a query that must answer within twice the interval.
    /// </summary>
    public static async Task WaitAndCheckAsync(NpgsqlConnection connection, TimeSpan checkInterval, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await connection.WaitAsync(checkInterval, cancellationToken))
        {
            return;
        }

        using var deadline = new CancellationTokenSource(checkInterval * 2, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        try
        {
            await command.ExecuteScalarAsync(linked.Token);
        }
        catch (OperationCanceledException exception) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"PostgreSQL did not answer the session check within {(checkInterval * 2).TotalSeconds} s.", exception);
        }
    }

    private static int KeepaliveSeconds(TimeSpan checkInterval) => Math.Max(1, (int)Math.Ceiling(checkInterval.TotalSeconds));

    private static int ServerKeepaliveIdleSeconds(TimeSpan checkInterval) => Math.Max(4, (int)Math.Ceiling(checkInterval.TotalSeconds * 4));

    /// <summary>An application_name as PostgreSQL will show it: printable ASCII, at most 63 bytes.</summary>
    public static string ApplicationName(string applicationName)
    {
        // PostgreSQL shows non-ASCII characters as '?', so counting bytes of ASCII is exact enough here.
        var ascii = new StringBuilder(applicationName.Length);
        foreach (var c in applicationName)
        {
            ascii.Append(c is >= ' ' and < '\u007f' ? c : '?');
        }

        return ascii.Length <= MaxApplicationNameBytes ? ascii.ToString() : ascii.ToString(0, MaxApplicationNameBytes);
    }
}
