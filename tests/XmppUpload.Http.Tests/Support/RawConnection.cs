using System.Net.Sockets;
using System.Text;

namespace XmppUpload.Http.Tests.Support;

/// <summary>An HTTP/1.1 connection written by hand, for what HttpClient cannot do: stop mid-body, omit Content-Length.</summary>
public sealed class RawConnection : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly CancellationTokenSource _timeout;

    private RawConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
        _timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        _timeout.CancelAfter(TimeSpan.FromSeconds(30));
    }

    public static async Task<RawConnection> OpenAsync(Uri baseAddress)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(baseAddress.Host, baseAddress.Port, TestContext.Current.CancellationToken);
        return new RawConnection(client);
    }

    public ValueTask SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await _stream.WriteAsync(bytes, _timeout.Token);
        await _stream.FlushAsync(_timeout.Token);
    }

    /// <summary>Reads one response head (status line and headers) and returns its status code and text.</summary>
    public async Task<(int Status, string Head)> ReadHeadAsync()
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await _stream.ReadAsync(one, _timeout.Token) == 0)
            {
                throw new IOException("The server closed the connection before a whole response head: " + head);
            }

            head.Append((char)one[0]);
        }

        var text = head.ToString();
        return (int.Parse(text.AsSpan(9, 3), provider: null), text);
    }

    /// <summary>Reads the body that follows <paramref name="head"/> (as its Content-Length says) as UTF-8 text.</summary>
    public async Task<string> ReadBodyAsync(string head)
    {
        var line = head.Split("\r\n").Single(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var body = new byte[int.Parse(line.AsSpan("Content-Length:".Length).Trim(), provider: null)];
        await _stream.ReadExactlyAsync(body, _timeout.Token);
        return Encoding.UTF8.GetString(body);
    }

    /// <summary>Closes the socket mid-request as a client that dies would: with a FIN, or with a reset (RST).</summary>
    public void Drop(bool reset)
    {
        if (reset)
        {
            _client.Client.LingerState = new LingerOption(true, 0);
        }

        _client.Client.Close();
        _client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
        _timeout.Dispose();
    }
}
