using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Ports;
using XmppUpload.Storage.Sqlite;

namespace XmppUpload.Storage;

/// <summary>
/// Readies the embedded storage before the node takes requests: migrates the ledger, removes staged writes a crash left
/// behind in whichever blob store is configured (the file system, or an object store that replaced it), and returns
/// interrupted uploads to Pending.
/// </summary>
/// <remarks>
/// Runs in <see cref="StartingAsync"/>, which the host calls for every lifecycle service before any hosted service's
/// <c>StartAsync</c>, so it finishes before the web server and the component link start, whatever their registration
/// order. <see cref="StorageServiceCollectionExtensions.AddEmbeddedStorage"/> also registers it first, so it runs first
/// among <c>StartingAsync</c> callers too. Both assume <c>HostOptions.ServicesStartConcurrently</c> is false (the
/// default); removing staged files while a writer is open would cut its upload.
/// </remarks>
internal sealed class EmbeddedStorageStartup : IHostedLifecycleService
{
    private readonly SqliteLedger _ledger;
    private readonly IBlobStore _blobs;
    private readonly ILogger _logger;

    public EmbeddedStorageStartup(SqliteLedger ledger, IBlobStore blobs, ILogger<EmbeddedStorageStartup> logger)
    {
        _ledger = ledger;
        _blobs = blobs;
        _logger = logger;
    }

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await _ledger.MigrateAsync(cancellationToken);
        await _blobs.RemoveStagedAsync(cancellationToken);
        await _ledger.ResetInterruptedUploadsAsync(cancellationToken);
        Log.EmbeddedStorageReady(_logger, Path.GetDirectoryName(_ledger.DatabasePath)!);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
