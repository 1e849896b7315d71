using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace XmppUpload.Storage.Postgres;

/// <summary>
/// Readies the PostgreSQL ledger before the node takes requests: migrates the schema (nodes starting at once take turns
/// on an advisory lock) and returns this node's interrupted uploads to Pending.
/// </summary>
/// <remarks>
/// Runs in <see cref="StartingAsync"/>, before any hosted service's <c>StartAsync</c>, as <see cref="EmbeddedStorageStartup"/>
/// does; <see cref="PostgresLedgerServiceCollectionExtensions.AddPostgresLedger"/> registers it first.
/// </remarks>
internal sealed class PostgresLedgerStartup : IHostedLifecycleService
{
    private readonly PostgresLedger _ledger;
    private readonly ILogger _logger;

    public PostgresLedgerStartup(PostgresLedger ledger, ILogger<PostgresLedgerStartup> logger)
    {
        _ledger = ledger;
        _logger = logger;
    }

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var version = await _ledger.MigrateAsync(cancellationToken);
        await _ledger.ResetInterruptedUploadsAsync(cancellationToken);
        PostgresLog.LedgerReady(_logger, _ledger.DataSourceName, version);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
