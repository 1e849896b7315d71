using Microsoft.Extensions.Diagnostics.HealthChecks;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;

namespace XmppUpload.Node.Hosting;

/// <summary>
/// Ready only while the ledger and the blob store answer: a node that cannot reach either would fail every upload, so
/// a load balancer should send requests elsewhere. Both probes only read.
/// </summary>
internal sealed class StorageHealthCheck(ILedger ledger, IBlobStore blobs) : IHealthCheck
{
    // A well-formed id that no slot has: looking it up reaches the ledger without touching any data.
    private static readonly string ProbeId = new('a', SlotIds.Length);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await ledger.FindSlotAsync(ProbeId, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The ledger cannot be reached.", exception);
        }

        try
        {
            await blobs.ExistsAsync(ProbeId, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The blob store cannot be reached.", exception);
        }

        return HealthCheckResult.Healthy("The ledger and the blob store answer.");
    }
}
