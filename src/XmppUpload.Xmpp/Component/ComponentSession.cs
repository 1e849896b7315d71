using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Security;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using XmppUpload.Xmpp.Configuration;
using XmppUpload.Xmpp.Framing;
using XmppUpload.Xmpp.Handlers;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.Component;

/// <summary>
/// One TCP connection to the XMPP server, from connect to close (XEP-0114 section 3): the stream headers, the
/// handshake, then a read loop that hands each stanza to a bounded set of concurrent handlers, and the whitespace
/// keepalive. Writes from any task are serialized. Input that breaks the stream ends the session with a stream error;
/// <see cref="ComponentLinkService"/> decides when to try again.
/// </summary>
internal sealed class ComponentSession : IAsyncDisposable
{
    internal static readonly XmlWriterSettings WriterSettings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        OmitXmlDeclaration = true,
        ConformanceLevel = ConformanceLevel.Fragment,
        // Keeps '\r' in text as it was received instead of normalising line ends.
        NewLineHandling = NewLineHandling.Entitize,
        CheckCharacters = true,
        CloseOutput = false,
    };

    private static readonly ReadOnlyMemory<byte> KeepAliveBytes = " "u8.ToArray();
    private static readonly ReadOnlyMemory<byte> StreamCloseBytes = "</stream:stream>"u8.ToArray();

    private readonly XmppOptions _options;
    private readonly ServerAddress _server;
    private readonly StanzaDispatcher _dispatcher;
    private readonly ComponentConnection _connection;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly XmlStreamScanner _scanner;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _handlerSlots;
    private readonly MemoryStream _scratch = new();
    private readonly List<Task> _handlers = [];
    private readonly CancellationTokenSource _sessionCts = new();

    private Socket? _socket;
    private NetworkStream? _stream;
    private PipeReader? _input;
    private PipeWriter? _output;
    private StreamHeader? _header;
    private bool _closed;
    private SessionEnd? _abort;
    private long _lastWrite;

    public ComponentSession(
        XmppOptions options,
        ServerAddress server,
        StanzaDispatcher dispatcher,
        ComponentConnection connection,
        TimeProvider time,
        ILogger logger)
    {
        _options = options;
        _server = server;
        _dispatcher = dispatcher;
        _connection = connection;
        _time = time;
        _logger = logger;
        _scanner = new XmlStreamScanner(options.MaxStanzaSize);
        _handlerSlots = new SemaphoreSlim(options.MaxConcurrentHandlers, options.MaxConcurrentHandlers);
    }

    private enum UnitKind
    {
        Header,
        Stanza,
        StreamEnd,
        EndOfData,
    }

    /// <summary>Runs the session until the stream ends; never throws for anything the network or the server does.</summary>
    public async Task<SessionEnd> RunAsync(CancellationToken stoppingToken)
    {
        using var stopping = stoppingToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _sessionCts);
        var sessionToken = _sessionCts.Token;
        var authenticated = false;
        var keepAlive = Task.CompletedTask;
        try
        {
            if (await ConnectAsync(stoppingToken) is { } connectFailure)
            {
                return connectFailure;
            }

            if (await HandshakeAsync(sessionToken) is { } handshakeFailure)
            {
                return handshakeFailure;
            }

            authenticated = true;
            // The timer exists before anyone can see the link connected, so a test clock never runs ahead of it.
            keepAlive = KeepAliveAsync(new PeriodicTimer(_options.KeepAliveInterval, _time), sessionToken);
            _connection.Attach(this);
            Log.Authenticated(_logger, _server.ToString(), _options.Domain);
            return await ReadLoopAsync(sessionToken);
        }
        catch (XmppStreamException exception)
        {
            await CloseAsync(StreamErrorMarkup(exception.Condition, exception.Message), CancellationToken.None);
            var detail = exception.InnerException is { } cause ? $"{exception.Message} ({cause.Message})" : exception.Message;
            return new SessionEnd(SessionEndReason.StreamErrorSent, authenticated, detail, StreamErrorConditions.ElementName(exception.Condition));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await CloseAsync(StreamCloseBytes, CancellationToken.None);
            return new SessionEnd(SessionEndReason.Stopped, authenticated, "the service is stopping");
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException or ObjectDisposedException or XmppLinkUnavailableException)
        {
            // A write that failed or stalled cancelled the session; it recorded why.
            var end = _abort ?? new SessionEnd(SessionEndReason.ConnectionLost, authenticated, $"the connection broke: {exception.Message}", Exception: exception);
            return end with { WasAuthenticated = authenticated };
        }
        finally
        {
            _connection.Detach(this);
            await _sessionCts.CancelAsync();
            await keepAlive;
            await DrainHandlersAsync(CancellationToken.None);
        }
    }

    /// <summary>Serializes and writes one stanza; throws <see cref="XmppLinkUnavailableException"/> once the stream is closed.</summary>
    public async ValueTask SendAsync(XElement stanza, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stanza);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (_closed || _output is null)
            {
                throw new XmppLinkUnavailableException();
            }

            // Serialized completely before any byte is written, so a failure here never leaves half a stanza on the wire.
            _scratch.SetLength(0);
            using (var writer = XmlWriter.Create(_scratch, WriterSettings))
            {
                stanza.WriteTo(writer);
            }

            // The session's token, not the caller's: a write cut off in the middle would break the stream for everyone.
            await WriteLockedAsync(_scratch.GetBuffer().AsMemory(0, (int)_scratch.Length), _sessionCts.Token);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_input is not null)
        {
            await _input.CompleteAsync();
        }

        if (_output is not null)
        {
            await _output.CompleteAsync();
        }

        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _socket?.Dispose();
        _sessionCts.Dispose();
        _scratch.Dispose();
    }

    private async Task<SessionEnd?> ConnectAsync(CancellationToken stoppingToken)
    {
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timeout.Token);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new DnsEndPoint(_server.Host, _server.Port), linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            socket.Dispose();
            return new SessionEnd(SessionEndReason.TimedOut, false, $"no connection within {_options.ConnectTimeout.TotalSeconds} s");
        }
        catch (SocketException exception)
        {
            socket.Dispose();
            return new SessionEnd(SessionEndReason.ConnectFailed, false, exception.Message, Exception: exception);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        EnableTcpKeepAlive(socket);
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
        return null;
    }

    private async Task<SessionEnd?> HandshakeAsync(CancellationToken sessionToken)
    {
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(sessionToken, timeout.Token);
        try
        {
            await WriteAsync(Encoding.UTF8.GetBytes(OpeningTag(_options.Domain)), linked.Token);

            var opening = await ReadUnitAsync(linked.Token);
            if (opening.Kind != UnitKind.Header)
            {
                return new SessionEnd(SessionEndReason.ConnectionLost, false, "the server closed the connection instead of opening its stream");
            }

            _header = opening.Header!;
            if (string.IsNullOrEmpty(_header.Id))
            {
                throw new XmppStreamException(StreamErrorCondition.BadFormat, "The stream header has no id, which the handshake needs (XEP-0114 section 3).");
            }

            await SendAsync(new XElement(XmppNames.Handshake, HandshakeDigest.Compute(_header.Id, _options.Secret ?? string.Empty)), linked.Token);

            var reply = await ReadUnitAsync(linked.Token);
            if (reply.Kind != UnitKind.Stanza)
            {
                // Some servers close without a stream error when they refuse the secret or the component name.
                await CloseAsync(StreamCloseBytes, linked.Token);
                return new SessionEnd(
                    SessionEndReason.ConnectionLost,
                    false,
                    "the server closed the stream during the handshake; check that Xmpp:Domain and Xmpp:Secret match the server's component configuration");
            }

            var element = reply.Element!;
            if (element.Name == XmppNames.Handshake)
            {
                return null;
            }

            if (element.Name == XmppNames.StreamError)
            {
                return await StreamErrorReceivedAsync(element, authenticated: false, linked.Token);
            }

            throw new XmppStreamException(StreamErrorCondition.UnsupportedStanzaType, $"Expected <handshake/> but got <{element.Name.LocalName}/>.");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !sessionToken.IsCancellationRequested)
        {
            await CloseAsync(StreamCloseBytes, CancellationToken.None);
            return new SessionEnd(SessionEndReason.TimedOut, false, $"the server did not complete the handshake within {_options.ConnectTimeout.TotalSeconds} s");
        }
    }

    private async Task<SessionEnd> ReadLoopAsync(CancellationToken sessionToken)
    {
        while (true)
        {
            var unit = await ReadUnitAsync(sessionToken);
            switch (unit.Kind)
            {
                case UnitKind.EndOfData:
                    return new SessionEnd(SessionEndReason.ConnectionLost, true, "the server closed the connection");

                case UnitKind.StreamEnd:
                    await CloseAsync(StreamCloseBytes, sessionToken);
                    return new SessionEnd(SessionEndReason.ConnectionLost, true, "the server closed the stream");

                case UnitKind.Stanza:
                    var stanza = unit.Element!;
                    if (stanza.Name == XmppNames.StreamError)
                    {
                        return await StreamErrorReceivedAsync(stanza, authenticated: true, sessionToken);
                    }

                    if (stanza.Name != XmppNames.Iq && stanza.Name != XmppNames.Message && stanza.Name != XmppNames.Presence)
                    {
                        // RFC 6120 section 4.9.3.24: a first-level element that is no stanza ends the stream.
                        throw new XmppStreamException(
                            StreamErrorCondition.UnsupportedStanzaType,
                            $"<{stanza.Name.LocalName}/> in '{stanza.Name.NamespaceName}' is not a stanza.");
                    }

                    await DispatchAsync(stanza, sessionToken);
                    break;

                default:
                    throw new XmppStreamException(StreamErrorCondition.BadFormat, "The stream was opened twice.");
            }
        }
    }

    private async Task DispatchAsync(XElement stanza, CancellationToken sessionToken)
    {
        // Waiting here stops reading: at the limit, TCP pushes back on the server instead of queueing without bound.
        await _handlerSlots.WaitAsync(sessionToken);
        if (_handlers.Count >= 2 * _options.MaxConcurrentHandlers)
        {
            _handlers.RemoveAll(t => t.IsCompleted);
        }

        _handlers.Add(Task.Run(() => HandleAsync(stanza, sessionToken), CancellationToken.None));
    }

    private async Task HandleAsync(XElement stanza, CancellationToken sessionToken)
    {
        try
        {
            var response = await _dispatcher.RespondAsync(stanza, sessionToken);
            if (response is not null)
            {
                await SendAsync(response, sessionToken);
            }
        }
        catch (OperationCanceledException) when (sessionToken.IsCancellationRequested)
        {
            NotSent(stanza, "the link closed before the answer was ready");
        }
        catch (XmppLinkUnavailableException exception)
        {
            NotSent(stanza, exception.Message);
        }
        catch (Exception exception)
        {
            // The dispatcher catches handler failures; what is left here is a bug in answering, logged with its stanza.
            Log.HandlerFailed(_logger, stanza.Name.LocalName, (string?)stanza.Attribute("id") ?? "(none)", (string?)stanza.Attribute("from") ?? "(no sender)", exception);
        }
        finally
        {
            _handlerSlots.Release();
        }
    }

    private void NotSent(XElement stanza, string reason) =>
        Log.ResponseNotSent(_logger, (string?)stanza.Attribute("id") ?? "(none)", (string?)stanza.Attribute("from") ?? "(no sender)", reason);

    private async Task DrainHandlersAsync(CancellationToken cancellationToken)
    {
        var running = _handlers.Where(t => !t.IsCompleted).ToArray();
        if (running.Length == 0)
        {
            return;
        }

        try
        {
            // Handlers were cancelled with the session; this only bounds one that ignores its token.
            await Task.WhenAll(running).WaitAsync(_options.ConnectTimeout, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }

    private async Task KeepAliveAsync(PeriodicTimer timer, CancellationToken sessionToken)
    {
        using (timer)
        {
            try
            {
                while (await timer.WaitForNextTickAsync(sessionToken))
                {
                    // RFC 6120 section 4.6.1: whitespace keeps NATs and the server's idle timers from closing a quiet link.
                    if (_time.GetElapsedTime(Interlocked.Read(ref _lastWrite)) >= _options.KeepAliveInterval)
                    {
                        await WriteAsync(KeepAliveBytes, sessionToken);
                    }
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or XmppLinkUnavailableException)
            {
                // The session is ending; the read loop reports why.
            }
        }
    }

    private async Task<SessionEnd> StreamErrorReceivedAsync(XElement error, bool authenticated, CancellationToken cancellationToken)
    {
        var condition = error.Elements()
            .FirstOrDefault(e => e.Name.Namespace == XmppNames.StreamErrors && e.Name.LocalName != "text")?.Name.LocalName
            ?? "undefined-condition";
        var text = (string?)error.Element(XmppNames.StreamErrors + "text") ?? "(no text)";
        await CloseAsync(StreamCloseBytes, cancellationToken);

        // XEP-0114 section 3: a refused handshake SHOULD be a not-authorized stream error.
        return condition == "not-authorized" && !authenticated
            ? new SessionEnd(SessionEndReason.WrongSecret, false, text, condition)
            : new SessionEnd(SessionEndReason.StreamErrorReceived, authenticated, text, condition);
    }

    private async ValueTask<Unit> ReadUnitAsync(CancellationToken cancellationToken)
    {
        var input = _input!;
        while (true)
        {
            var read = await input.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            var scan = _scanner.Scan(buffer);
            while (scan.Kind == XmlUnitKind.Whitespace)
            {
                buffer = buffer.Slice(scan.Length);
                scan = _scanner.Scan(buffer);
            }

            if (scan.Kind == XmlUnitKind.Error)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                throw new XmppStreamException(scan.Error, scan.ErrorText ?? "The stream is broken.");
            }

            if (scan.Kind != XmlUnitKind.NeedMoreData)
            {
                try
                {
                    var markup = buffer.Slice(scan.Start, scan.Length - scan.Start);
                    return scan.Kind switch
                    {
                        XmlUnitKind.StreamHeader => new Unit(UnitKind.Header, null, XmlUnitParser.ParseHeader(markup)),
                        XmlUnitKind.Stanza => new Unit(UnitKind.Stanza, XmlUnitParser.ParseStanza(markup, _header!), null),
                        _ => new Unit(UnitKind.StreamEnd, null, null),
                    };
                }
                finally
                {
                    input.AdvanceTo(buffer.GetPosition(scan.Length));
                }
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (read.IsCompleted)
            {
                return new Unit(UnitKind.EndOfData, null, null);
            }
        }
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (_closed || _output is null)
            {
                throw new XmppLinkUnavailableException();
            }

            await WriteLockedAsync(bytes, _sessionCts.Token);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Writes the last bytes of the stream (a closing tag or a stream error) and half-closes the socket. Callers pass
    /// <see cref="CancellationToken.None"/> when the session is already cancelled: the write has its own timeout.
    /// </summary>
    private async Task CloseAsync(ReadOnlyMemory<byte> finalBytes, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (_closed || _output is null)
            {
                return;
            }

            try
            {
                await WriteLockedAsync(finalBytes, cancellationToken);
            }
            catch (XmppLinkUnavailableException)
            {
                // The connection is already gone; there is nobody left to tell.
            }

            _closed = true;
            try
            {
                _socket?.Shutdown(SocketShutdown.Send);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    // Called with the write lock held.
    private async ValueTask WriteLockedAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var result = await _output!.WriteAsync(bytes, linked.Token);
            if (result.IsCompleted)
            {
                throw Abort(new SessionEnd(SessionEndReason.ConnectionLost, false, "the server stopped reading"));
            }

            Interlocked.Exchange(ref _lastWrite, _time.GetTimestamp());
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Abort(new SessionEnd(SessionEndReason.TimedOut, false, $"a write to the server stalled for more than {_options.ConnectTimeout.TotalSeconds} s"));
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            throw Abort(new SessionEnd(SessionEndReason.ConnectionLost, false, $"writing to the server failed: {exception.Message}", Exception: exception));
        }
    }

    // Called with the write lock held: no more writes, and the read loop wakes up to end the session.
    private XmppLinkUnavailableException Abort(SessionEnd end)
    {
        _closed = true;
        _abort ??= end;
        _sessionCts.Cancel();
        return new XmppLinkUnavailableException($"The link to the XMPP server broke: {end.Detail}.", end.Exception);
    }

    // Lets the kernel find a server that vanished without closing (power loss, a partition) within about two minutes,
    // where a blocked read would otherwise wait for hours; whitespace keepalives alone only fail after retransmissions.
    private static void EnableTcpKeepAlive(Socket socket)
    {
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 60);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 10);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 6);
        }
        catch (Exception exception) when (exception is SocketException or PlatformNotSupportedException)
        {
            // Platforms without these options keep the system defaults.
        }
    }

    private static string OpeningTag(string domain) =>
        "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='"
        + SecurityElement.Escape(domain) + "'>";

    private static ReadOnlyMemory<byte> StreamErrorMarkup(StreamErrorCondition condition, string text)
    {
        // RFC 6120 section 4.9: the error, then the closing tag; nothing may follow.
        var error = new XElement(
            XmppNames.StreamError,
            new XAttribute(XNamespace.Xmlns + "stream", XmppNames.StreamsNamespace),
            new XElement(XmppNames.StreamErrors + StreamErrorConditions.ElementName(condition)),
            new XElement(XmppNames.StreamErrors + "text", new XAttribute(XmppNames.Lang, "en"), text));
        return Encoding.UTF8.GetBytes(error.ToString(SaveOptions.DisableFormatting) + "</stream:stream>");
    }

    private readonly record struct Unit(UnitKind Kind, XElement? Element, StreamHeader? Header);
}
