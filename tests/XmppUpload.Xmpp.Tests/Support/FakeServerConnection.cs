using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using System.Xml.Linq;
using XmppUpload.Xmpp.Framing;

namespace XmppUpload.Xmpp.Tests.Support;

/// <summary>
/// One accepted component connection. Everything the component writes is split into units (header, stanzas,
/// whitespace, stream end) as it arrives, so a test awaits the next unit instead of polling.
/// </summary>
internal sealed class FakeServerConnection : IAsyncDisposable
{
    public const string StreamId = "3BF96D32";

    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(20);

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly Channel<(XmlUnitKind Kind, string Text)> _units = Channel.CreateUnbounded<(XmlUnitKind, string)>();
    private readonly Task _pump;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;

    public FakeServerConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _pump = PumpAsync(_stop.Token);
    }

    /// <summary>Completes when the component closes its side of the connection.</summary>
    public Task Closed => _pump;

    public async Task<(XmlUnitKind Kind, string Text)> ReadUnitAsync(CancellationToken cancellationToken) =>
        await _units.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(SafetyTimeout, cancellationToken);

    /// <summary>The next stanza the component sends, skipping whitespace keepalives.</summary>
    public async Task<XElement> ReadStanzaAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var (kind, text) = await ReadUnitAsync(cancellationToken);
            if (kind == XmlUnitKind.Whitespace)
            {
                continue;
            }

            Assert.Equal(XmlUnitKind.Stanza, kind);
            return XElement.Parse(text);
        }
    }

    public async Task SendAsync(string xml, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(xml), cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads the component's stream header and answers with the server's, as XEP-0114 section 3 shows.</summary>
    public async Task<string> OpenStreamAsync(CancellationToken cancellationToken)
    {
        var (kind, header) = await ReadUnitAsync(cancellationToken);
        Assert.Equal(XmlUnitKind.StreamHeader, kind);
        await SendAsync(
            $"<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' xmlns='jabber:component:accept' from='upload.montague.tld' id='{StreamId}'>",
            cancellationToken);
        return header;
    }

    /// <summary>Reads the handshake and tells whether it proves <paramref name="secret"/>.</summary>
    public async Task<bool> ReadHandshakeAsync(string secret, CancellationToken cancellationToken)
    {
        var handshake = await ReadStanzaAsync(cancellationToken);
        Assert.Equal(XName.Get("handshake", "jabber:component:accept"), handshake.Name);
        var expected = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(StreamId + secret)));
        return handshake.Value == expected;
    }

    public async Task AcceptComponentAsync(string secret, CancellationToken cancellationToken)
    {
        await OpenStreamAsync(cancellationToken);
        Assert.True(await ReadHandshakeAsync(secret, cancellationToken));
        await SendAsync("<handshake/>", cancellationToken);
    }

    /// <summary>Reads units until the component's closing tag, returning what came before it.</summary>
    public async Task<List<(XmlUnitKind Kind, string Text)>> ReadUntilStreamEndAsync(CancellationToken cancellationToken)
    {
        var units = new List<(XmlUnitKind, string)>();
        while (true)
        {
            var unit = await ReadUnitAsync(cancellationToken);
            if (unit.Kind == XmlUnitKind.StreamEnd)
            {
                return units;
            }

            units.Add(unit);
        }
    }

    /// <summary>Cuts the connection without closing the stream.</summary>
    public void Drop()
    {
        _client.Client.LingerState = new LingerOption(true, 0);
        _client.Close();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        _client.Dispose();
        try
        {
            await _pump;
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        var harness = new ScannerHarness();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    return;
                }

                var before = harness.Units.Count;
                var whitespaceBefore = harness.WhitespaceBytes;
                harness.Feed(buffer[..read]);
                if (harness.WhitespaceBytes > whitespaceBefore)
                {
                    await _units.Writer.WriteAsync((XmlUnitKind.Whitespace, new string(' ', harness.WhitespaceBytes - whitespaceBefore)), cancellationToken);
                }

                foreach (var unit in harness.Units.Skip(before))
                {
                    await _units.Writer.WriteAsync(unit, cancellationToken);
                }

                Assert.Null(harness.Failure);
            }
        }
        finally
        {
            _units.Writer.TryComplete();
        }
    }
}
