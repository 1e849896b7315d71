using System.Xml.Linq;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using XmppUpload.Core.Configuration;
using XmppUpload.Node.Configuration;
using XmppUpload.Node.Hosting;
using XmppUpload.Xmpp.Component;

namespace XmppUpload.Node.Tests;

/// <summary>What the node's health says about the component link in a cluster, and the Cluster section's checks.</summary>
public sealed class ComponentLinkHealthTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HoldingTheLink_IsHealthy_AndSaysSo()
    {
        var result = await CheckAsync(ComponentLinkState.Connected, holder: null);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Contains("This node holds the component link", result.Description, StringComparison.Ordinal);
        Assert.Equal(true, result.Data["holdsLink"]);
        Assert.Equal("Connected", result.Data["state"]);
        Assert.False(result.Data.ContainsKey("holder"));
    }

    [Fact]
    public async Task Standby_WhileAnotherNodeHoldsTheLink_IsHealthy_AndNamesTheHolder()
    {
        var result = await CheckAsync(ComponentLinkState.Standby, holder: "node-b");

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Contains("Standby: node-b holds the component link", result.Description, StringComparison.Ordinal);
        Assert.Equal((false, "Standby", "node-b", "upload.montague.tld"), (result.Data["holdsLink"], result.Data["state"], result.Data["holder"], result.Data["domain"]));
    }

    [Theory]
    [InlineData(ComponentLinkState.Connecting)]
    [InlineData(ComponentLinkState.WaitingToReconnect)]
    [InlineData(ComponentLinkState.Stopped)]
    public async Task TryingToAttach_IsDegraded(ComponentLinkState state)
    {
        var result = await CheckAsync(state, holder: null);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal((false, state.ToString()), (result.Data["holdsLink"], result.Data["state"]));
    }

    [Theory]
    [InlineData("LeaseRetryInterval", "00:00:00", "Cluster:LeaseRetryInterval")]
    [InlineData("LeaseRetryInterval", "00:05:00", "Cluster:LeaseRetryInterval")]
    [InlineData("ConnectionCheckInterval", "00:00:00.050", "Cluster:ConnectionCheckInterval")]
    [InlineData("RelayTimeout", "00:02:00", "Cluster:RelayTimeout")]
    public void ClusterOptions_OutOfRange_FailNamingTheKey(string property, string value, string key)
    {
        var options = new ClusterOptions();
        typeof(ClusterOptions).GetProperty(property)!.SetValue(options, TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture));

        var result = new ClusterOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.StartsWith(key, result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new ClusterOptionsValidator().Validate(null, new ClusterOptions()).Succeeded);
    }

    private static Task<HealthCheckResult> CheckAsync(ComponentLinkState state, string? holder) =>
        new ComponentLinkHealthCheck(new Link(state, holder)).CheckHealthAsync(new HealthCheckContext(), Cancellation);

    private sealed class Link(ComponentLinkState state, string? holder) : IComponentConnection
    {
        public string Domain => "upload.montague.tld";

        public ComponentLinkState State => state;

        public string? LinkHolder => holder;

        public bool IsConnected => state == ComponentLinkState.Connected;

        public Task WaitUntilConnectedAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<XElement> SendIqAsync(XElement iq, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<XElement> SendIqAsync(XElement iq, TimeSpan timeout, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask SendAsync(XElement stanza, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
