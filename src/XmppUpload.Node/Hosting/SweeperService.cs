using XmppUpload.Core.Accounts;
using System.Diagnostics;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Diagnostics;

namespace XmppUpload.Node.Hosting;

/// <summary>Runs the retention sweeper every <see cref="UploadOptions.SweepInterval"/>, once right after start.</summary>
internal sealed partial class SweeperService(
    Sweeper sweeper,
    UploadOptions options,
    TimeProvider time,
    ILogger<SweeperService> logger,
    SweeperTelemetry? telemetry = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.SweepInterval, time);
        do
        {
            // One span per sweep, with its batches as children.
            using var activity = SweeperTelemetry.Source.StartActivity("sweep", ActivityKind.Internal);
            var started = Stopwatch.GetTimestamp();
            try
            {
                var report = await sweeper.RunOnceAsync(stoppingToken);
                telemetry?.Swept(report, Stopwatch.GetElapsedTime(started));
                activity?.SetTag("xmppupload.sweep.expired", report.Expired);
                activity?.SetTag("xmppupload.sweep.lapsed", report.LapsedReservations);
                activity?.SetTag("xmppupload.sweep.blobs", report.BlobsRemoved);
                activity?.SetTag("xmppupload.sweep.orphans", report.OrphansRemoved);
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
                activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
                telemetry?.Failed();
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
