using XmppUpload.Core.Accounts;
using XmppUpload.Core.Configuration;

namespace XmppUpload.Node.Hosting;

/// <summary>Runs the retention sweeper every <see cref="UploadOptions.SweepInterval"/>, once right after start.</summary>
internal sealed partial class SweeperService(Sweeper sweeper, UploadOptions options, TimeProvider time, ILogger<SweeperService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval, time);
        do
        {
            try
            {
                var report = await sweeper.RunOnceAsync(stoppingToken);
                if (report.Expired + report.LapsedReservations + report.BlobsRemoved + report.OrphansRemoved > 0)
                {
                    LogSwept(logger, report.Expired, report.LapsedReservations, report.BlobsRemoved, report.OrphansRemoved);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is IOException or InvalidOperationException or System.Data.Common.DbException)
            {
                // A sweep that fails (disk, database) is retried at the next interval; it must not stop the node.
                LogSweepFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Sweep: {Expired} files expired, {Lapsed} reservations lapsed, {Removed} blobs removed, {Orphans} orphan blobs removed")]
    private static partial void LogSwept(ILogger logger, int expired, int lapsed, int removed, int orphans);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "The sweep failed; it runs again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
