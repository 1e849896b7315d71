using Microsoft.Extensions.Diagnostics.HealthChecks;
using XmppUpload.Core.Lifecycle;

namespace XmppUpload.Node.Hosting;

/// <summary>Not ready once the node drains, so that a balancer sends new requests elsewhere while writes finish.</summary>
internal sealed class DrainHealthCheck(NodeDrain drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(drain.IsDraining
            ? HealthCheckResult.Unhealthy("The node is shutting down.", data: new Dictionary<string, object> { ["writesInFlight"] = drain.Writes })
            : HealthCheckResult.Healthy("The node takes new work."));
}
