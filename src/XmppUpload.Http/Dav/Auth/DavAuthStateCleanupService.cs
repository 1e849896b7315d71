using System.Data.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XmppUpload.Core.HttpAuth;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>
/// Forgets expired Digest nonce counts and XEP-0070 answers every <see cref="Interval"/>, in batches of
/// <see cref="BatchSize"/> until a batch comes back short, so each transaction stays small. On a cluster every node
/// runs it; the store's batches keep them out of each other's way. Does nothing while WebDAV is disabled.
/// </summary>
internal sealed class DavAuthStateCleanupService(
    IHttpAuthStateStore state, IOptions<WebDavOptions> options, TimeProvider timeProvider, ILogger<DavAuthStateCleanupService> logger)
    : BackgroundService
{
    /// <summary>A nonce lives five minutes and an answer <c>WebDav:CredentialLifetime</c>; a minute's lag costs only a few rows.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    public const int BatchSize = 1_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var total = 0;
                int removed;
                do
                {
                    removed = await state.RemoveExpiredAsync(timeProvider.GetUtcNow(), BatchSize, stoppingToken);
                    total += removed;
                }
                while (removed >= BatchSize);

                if (total > 0)
                {
                    Log.ExpiredStateRemoved(logger, total);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is DbException or TimeoutException or InvalidOperationException)
            {
                // A database that is down now is retried at the next tick; the rows only wait a little longer.
                Log.ExpiredStateNotRemoved(logger, exception);
            }
        }
    }
}
