using Microsoft.Extensions.Options;
using XmppUpload.Node.Configuration;

namespace XmppUpload.Node.Hosting;

/// <summary>
/// Loads (or on first start creates) the token keys before any slot is granted or any PUT is checked, then reloads them
/// every <c>Tokens:KeyReloadInterval</c>, so that a rotated key reaches this node before it starts signing. The first
/// load runs in <see cref="StartingAsync"/>, which the host runs for every service before any service's StartAsync, so
/// the web server and the component link never see an empty key ring; it is registered after the storage, whose own
/// StartingAsync migrates the ledger first. With <c>Tokens:SigningKeys</c> configured it does nothing: those keys are
/// the node's, and the ledger's are never read.
/// </summary>
internal sealed partial class SigningKeyLoader(
    SigningKeyRing ring, IOptions<TokensOptions> options, TimeProvider time, ILogger<SigningKeyLoader> logger)
    : BackgroundService, IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var tokens = options.Value;
        if (tokens.UsesConfiguredKeys)
        {
            LogConfiguredKeys(logger, string.Join(", ", tokens.SigningKeys.Select(k => k.Id)));
            return;
        }

        await ring.LoadAsync(cancellationToken);
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tokens = options.Value;
        if (tokens.UsesConfiguredKeys)
        {
            return;
        }

        using var timer = new PeriodicTimer(tokens.KeyReloadInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // Never throws for a ledger that is down: the ring keeps its keys and says so once.
                await ring.ReloadAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 4025, Level = LogLevel.Information, Message = "Signing keys come from Tokens:SigningKeys ({KeyIds}); the ledger's keys are not used")]
    private static partial void LogConfiguredKeys(ILogger logger, string keyIds);
}
