using Microsoft.Extensions.Diagnostics.HealthChecks;
using XmppUpload.Xmpp.Component;

namespace XmppUpload.Node.Hosting;

/// <summary>
/// Reports the component link: this node holds it (healthy), another node of the cluster holds it and this one stands
/// by (healthy), or this node is trying to attach (degraded). A node without the link still serves every PUT and GET,
/// so the link never makes a node unready. The data (<c>state</c>, <c>holdsLink</c>, <c>domain</c>, <c>holder</c>)
/// appear in the JSON form of <c>/health/ready</c>.
/// </summary>
internal sealed class ComponentLinkHealthCheck(IComponentConnection connection) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = connection.State;
        var holder = connection.LinkHolder;
        var data = new Dictionary<string, object>
        {
            ["state"] = state.ToString(),
            ["holdsLink"] = state == ComponentLinkState.Connected,
            ["domain"] = connection.Domain,
        };
        if (holder is not null)
        {
            data["holder"] = holder;
        }

        return Task.FromResult(state switch
        {
            ComponentLinkState.Connected => HealthCheckResult.Healthy($"This node holds the component link of {connection.Domain}; it is up.", data),
            ComponentLinkState.Standby => HealthCheckResult.Healthy(
                $"Standby: {holder ?? "another node"} holds the component link of {connection.Domain}; this node takes it over if that node goes away.",
                data),
            _ => HealthCheckResult.Degraded($"The component link of {connection.Domain} is {state}; uploads and downloads still work.", data: data),
        });
    }
}
