using System.Net;
using System.Net.Sockets;

namespace XmppUpload.Xmpp.Tests.Support;

/// <summary>
/// A fake XMPP server's component port on 127.0.0.1, port 0. It exists for what a real server will not do on
/// request: refuse a secret, send malformed or hostile XML, drop the connection.
/// </summary>
internal sealed class FakeXmppServer : IAsyncDisposable
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(20);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<FakeServerConnection> _connections = [];

    public FakeXmppServer()
    {
        _listener.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Waits for the component to connect; fails after a generous safety timeout.</summary>
    public async Task<FakeServerConnection> AcceptAsync(CancellationToken cancellationToken)
    {
        var client = await _listener.AcceptTcpClientAsync(cancellationToken).AsTask().WaitAsync(SafetyTimeout, cancellationToken);
        var connection = new FakeServerConnection(client);
        _connections.Add(connection);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        _listener.Stop();
        _listener.Dispose();
    }
}
