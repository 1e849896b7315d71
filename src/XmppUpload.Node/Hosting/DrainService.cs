using Microsoft.Extensions.Options;
using XmppUpload.Core.Lifecycle;
using XmppUpload.Node.Configuration;

namespace XmppUpload.Node.Hosting;

/// <summary>
/// Stops the node gracefully. The host calls every service's StoppingAsync before any StopAsync, and the web server
/// stops listening in its StopAsync; so the drain happens here, in StoppingAsync, while the node still listens: new
/// slots and writes are refused (503 with Retry-After, readiness fails so balancers move away), the component link
/// lets go at once (it watches <see cref="NodeDrain.Draining"/>; another node takes it), and the writes in flight get
/// up to <c>Node:DrainTimeout</c> to finish.
/// </summary>
internal sealed partial class DrainService(NodeDrain drain, IOptions<NodeOptions> options, TimeProvider time, ILogger<DrainService> logger)
    : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        drain.Begin();
        var writes = drain.Writes;
        var timeout = options.Value.DrainTimeout;
        LogDrainBegun(logger, writes, timeout.TotalSeconds);
        if (await drain.WaitForWritesAsync(timeout, time, cancellationToken))
        {
            LogDrained(logger, writes);
        }
        else
        {
            LogDrainTimedOut(logger, drain.Writes, timeout.TotalSeconds);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Stopping: new slots and writes are refused; {Writes} writes in flight may take up to {Seconds} s to finish")]
    private static partial void LogDrainBegun(ILogger logger, int writes, double seconds);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Drained: the {Writes} writes in flight have finished")]
    private static partial void LogDrained(ILogger logger, int writes);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Drain timed out: {Writes} writes still in flight after {Seconds} s are cut off")]
    private static partial void LogDrainTimedOut(ILogger logger, int writes, double seconds);
}
