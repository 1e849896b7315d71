using Microsoft.Extensions.Diagnostics.HealthChecks;
using XmppUpload.Xmpp.Component;

namespace XmppUpload.Node.Hosting;

/// <summary>
/// Reports the component link. A node without the link still serves every PUT and GET (and in a cluster only one node
/// holds it), so a link that is down makes the node degraded, never unready.
/// </summary>
internal sealed class ComponentLinkHealthCheck(IComponentConnection connection) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(connection.IsConnected
            ? HealthCheckResult.Healthy($"The component link to the XMPP server is up ({connection.State}).")
            : HealthCheckResult.Degraded($"The component link to the XMPP server is {connection.State}; uploads and downloads still work."));
}
