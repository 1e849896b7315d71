using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using XmppUpload.Core.Cluster;
using XmppUpload.Core.Ports;
using XmppUpload.Xmpp.Component;
using XmppUpload.Xmpp.Tests.Support;

namespace XmppUpload.Xmpp.Tests.Component;

/// <summary>
/// The component link under the cluster's lease: standby while another node holds it, takeover on the next retry, a
/// lost lease that closes the session at once, the lease released on stop and yielded after repeated failures.
/// </summary>
public sealed class ComponentLinkLeaseTests
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnotherNodeHoldsTheLease_StandbyWithoutConnecting_ThenTakesTheLinkOverOnARetry()
    {
        await using var server = new FakeXmppServer();
        var leases = new FakeLinkLeases { Holder = "node-b" };
        await using var host = await StartAsync(server.Port, leases);

        var standby = await host.Logs.WaitForAsync("Standby");
        Assert.Equal("node-b", standby.Value("Holder"));
        Assert.Equal((ComponentLinkState.Standby, "node-b"), (host.Connection.State, host.Connection.LinkHolder));

        // Still held elsewhere at the next retry: standby goes on, and is not logged again.
        host.Time.Advance(RetryInterval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, leases.Attempts);
        host.Time.Advance(TimeSpan.FromMilliseconds(1));
        await leases.WaitForAttemptsAsync(2);
        Assert.Equal(1, host.Logs.Count("Standby"));
        Assert.Equal(0, host.Logs.Count("Connecting"));

        // The holder went away: the next retry takes the lease and only then connects.
        leases.Holder = null;
        host.Time.Advance(RetryInterval);
        await using var connection = await server.AcceptAsync(Token);
        await connection.AcceptComponentAsync(LinkHost.Secret, Token);
        await host.Logs.WaitForAsync("Authenticated");

        var taken = await host.Logs.WaitForAsync("LeaseTaken");
        Assert.Equal(LinkLeaseName.For("127.0.0.1:" + server.Port, "upload.montague.tld"), taken.Value("Lease"));
        Assert.Single(leases.Granted);
        Assert.Equal((ComponentLinkState.Connected, null), (host.Connection.State, host.Connection.LinkHolder));
    }

    [Fact]
    public async Task LeaseLost_ClosesTheSessionAtOnce_AndTheNodeGoesBackToTakingTheLease()
    {
        await using var server = new FakeXmppServer();
        var leases = new FakeLinkLeases();
        await using var host = await StartAsync(server.Port, leases);
        await using var connection = await ConnectAsync(server, host);

        leases.Holder = "node-c";
        leases.Granted[0].Lose();

        // No clock moves: the stream is closed because the lease is gone, not after some timeout.
        await connection.ReadUntilStreamEndAsync(Token);
        await host.Logs.WaitForAsync("LeaseLost");
        await host.Logs.WaitForAsync("Standby");
        Assert.Equal((ComponentLinkState.Standby, "node-c"), (host.Connection.State, host.Connection.LinkHolder));
        await leases.Granted[0].Released;
        Assert.Equal(2, leases.Attempts);
        Assert.Equal(0, host.Logs.Count("RetryScheduled"));
    }

    [Fact]
    public async Task Stopping_ClosesTheSession_ThenReleasesTheLease()
    {
        await using var server = new FakeXmppServer();
        var leases = new FakeLinkLeases();
        var host = await StartAsync(server.Port, leases);
        await using var connection = await ConnectAsync(server, host);
        var lease = leases.Granted[0];
        Task? sendAtRelease = null;
        lease.WhenReleased = () => sendAtRelease = host.Connection.SendAsync(new XElement(XName.Get("message", "jabber:component:accept"), new XAttribute("to", "romeo@montague.tld")), Token).AsTask();

        await host.DisposeAsync();

        await lease.Released;
        await connection.ReadUntilStreamEndAsync(Token);
        // When the lease went, the session was already closed: nothing could be sent on the link any more.
        await Assert.ThrowsAsync<XmppLinkUnavailableException>(() => sendAtRelease!);
        Assert.Equal(ComponentLinkState.Stopped, host.Connection.State);
        Assert.Equal(0, host.Logs.Count("LeaseLost"));
    }

    [Fact]
    public async Task LeaseStoreUnreachable_IsLoggedOnce_AndRetriedEveryInterval()
    {
        await using var server = new FakeXmppServer();
        var leases = new FakeLinkLeases { Failure = new IOException("connection refused") };
        await using var host = await StartAsync(server.Port, leases);

        var unreachable = await host.Logs.WaitForAsync("LeaseUnreachable");
        Assert.IsType<IOException>(unreachable.Exception);
        Assert.Equal(ComponentLinkState.WaitingToReconnect, host.Connection.State);
        host.Time.Advance(RetryInterval);
        await leases.WaitForAttemptsAsync(2);
        Assert.Equal(1, host.Logs.Count("LeaseUnreachable"));

        leases.Failure = null;
        host.Time.Advance(RetryInterval);
        await using var connection = await ConnectAsync(server, host);
        Assert.Equal(3, leases.Attempts);
    }

    [Fact]
    public async Task RepeatedFailuresBeforeTheHandshake_ReleaseTheLeaseForTheBackoff_SoAnotherNodeMayTry()
    {
        // Bound but not listening: every connection is refused at once.
        using var refusing = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        refusing.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var leases = new FakeLinkLeases();
        await using var host = await StartAsync(((IPEndPoint)refusing.LocalEndPoint!).Port, leases);

        for (var failure = 1; failure < ComponentLinkService.FailuresBeforeYield; failure++)
        {
            await host.Logs.WaitForAsync("RetryScheduled", failure);
            Assert.False(leases.Granted[0].IsReleased);
            host.Time.Advance(TimeSpan.FromSeconds(failure));
        }

        var yielded = await host.Logs.WaitForAsync("LeaseYielded");
        Assert.Equal(ComponentLinkService.FailuresBeforeYield, yielded.Value("Failures"));
        await leases.Granted[0].Released;
        var retry = await host.Logs.WaitForAsync("RetryScheduled", ComponentLinkService.FailuresBeforeYield);
        Assert.Equal(4.0, retry.Value("DelaySeconds"));
        Assert.Equal(1, leases.Attempts);

        // Another node took the lease meanwhile: this one stands by.
        leases.Holder = "node-b";
        host.Time.Advance(TimeSpan.FromSeconds(4));
        await host.Logs.WaitForAsync("Standby");
        Assert.Equal(ComponentLinkState.Standby, host.Connection.State);
    }

    private static Task<LinkHost> StartAsync(int port, FakeLinkLeases leases) =>
        LinkHost.StartAsync(port, Token, configure: services => services.AddSingleton<ILinkLeaseProvider>(leases));

    private static async Task<FakeServerConnection> ConnectAsync(FakeXmppServer server, LinkHost host)
    {
        var connection = await server.AcceptAsync(Token);
        await connection.AcceptComponentAsync(LinkHost.Secret, Token);
        await host.Connection.WaitUntilConnectedAsync(Token).WaitAsync(TimeSpan.FromSeconds(20), Token);
        return connection;
    }
}
