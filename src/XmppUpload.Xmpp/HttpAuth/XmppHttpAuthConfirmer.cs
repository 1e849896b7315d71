using System.Diagnostics;
using System.Xml;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Xmpp.Component;
using XmppUpload.Xmpp.Diagnostics;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.HttpAuth;

/// <summary>
/// Asks a user over the component link whether an HTTP request is theirs (XEP-0070 section 4.2): by IQ get to a full
/// JID, by message with a thread and a human-readable body to a bare JID. The answer is awaited at most the request's
/// timeout, measured on the injected <see cref="TimeProvider"/>; at most
/// <see cref="XmppHttpAuthOptions.MaxPendingConfirmations"/> wait at once. A node on standby in a cluster (another node
/// holds the link) forwards the request to the holder through <see cref="RelayedConfirmations"/>.
/// </summary>
internal sealed class XmppHttpAuthConfirmer : IHttpAuthConfirmer
{
    // The identifier is the password of an HTTP request and the URL is a request target: both are bounded so that a
    // hostile client cannot make the component send a stanza the server refuses (and closes the stream for).
    private const int MaxTransactionIdLength = 1024;
    private const int MaxUrlLength = 8192;
    private const int MaxMethodLength = 64;

    private readonly IComponentConnection _connection;
    private readonly PendingConfirmations _pending;
    private readonly TimeProvider _time;
    private readonly ILogger<XmppHttpAuthConfirmer> _logger;
    private readonly XmppTelemetry? _telemetry;
    private readonly RelayedConfirmations _relay;
    private readonly int _maxPending;
    private int _outstanding;

    public XmppHttpAuthConfirmer(
        IComponentConnection connection,
        PendingConfirmations pending,
        IOptions<XmppHttpAuthOptions> options,
        TimeProvider time,
        RelayedConfirmations relay,
        ILogger<XmppHttpAuthConfirmer> logger,
        XmppTelemetry? telemetry = null)
    {
        _telemetry = telemetry;
        _connection = connection;
        _relay = relay;
        _pending = pending;
        _time = time;
        _logger = logger;
        _maxPending = options.Value.MaxPendingConfirmations;
    }

    /// <summary>Confirmations sent and not yet answered, by IQ and by message.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    public Task<ConfirmationOutcome> ConfirmAsync(ConfirmationRequest request, CancellationToken cancellationToken) =>
        ConfirmAsync(request, forwardWithoutLink: true, cancellationToken);

    /// <summary>
    /// Asks over this node's own link, never through another node: for the confirmations other nodes forward to this
    /// one (<see cref="HttpAuthRelayService"/>).
    /// </summary>
    internal Task<ConfirmationOutcome> ConfirmLocallyAsync(ConfirmationRequest request, CancellationToken cancellationToken) =>
        ConfirmAsync(request, forwardWithoutLink: false, cancellationToken);

    private async Task<ConfirmationOutcome> ConfirmAsync(ConfirmationRequest request, bool forwardWithoutLink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(request.Timeout, TimeSpan.Zero, nameof(request));
        var hint = TransactionHint.Of(request.TransactionId ?? string.Empty);
        var jid = request.Jid.ToString();

        if (Unsendable(request) is { } problem)
        {
            // Nobody can confirm what cannot be asked; the HTTP side answers this like a refusal.
            Log.ConfirmationInputRefused(_logger, jid, hint, problem);
            return ConfirmationOutcome.Denied;
        }

        if (Interlocked.Increment(ref _outstanding) > _maxPending)
        {
            Interlocked.Decrement(ref _outstanding);
            Log.ConfirmationsFull(_logger, jid, hint, _maxPending);
            return ConfirmationOutcome.Unavailable;
        }

        // One span per confirmation, with how the user was asked, the outcome and (by its length) the wait. The
        // transaction id is a password: only its hint is recorded.
        var started = Stopwatch.GetTimestamp();
        using var activity = XmppTelemetry.Source.StartActivity("XEP-0070 confirm", ActivityKind.Client);
        try
        {
            // In a cluster, the node on standby has no link of its own: the node that holds it asks the user.
            var relayed = forwardWithoutLink && !_connection.IsConnected && _connection.State == ComponentLinkState.Standby;
            var how = relayed ? "relayed" : request.Jid.IsBare ? "message" : "iq";
            activity?.SetTag("enduser.id", request.Jid.Bare.ToString());
            activity?.SetTag("http.request.method", request.Method);
            activity?.SetTag("xmppupload.http_auth.via", how);
            activity?.SetTag("xmppupload.http_auth.transaction_hint", hint);
            var outcome = relayed
                ? await _relay.ForwardAsync(request, hint, cancellationToken)
                : request.Jid.IsBare
                    ? await ByMessageAsync(request, hint, cancellationToken)
                    : await ByIqAsync(request, hint, cancellationToken);
            activity?.SetTag(XmppTelemetry.OutcomeTag, XmppTelemetry.OutcomeName(outcome));
            _telemetry?.ConfirmationEnded(outcome, how, Stopwatch.GetElapsedTime(started));
            Log.ConfirmationEnded(_logger, jid, hint, request.Method, outcome);
            return outcome;
        }
        finally
        {
            Interlocked.Decrement(ref _outstanding);
        }
    }

    /// <summary>The confirm element exactly as XEP-0070 section 4.2 shows it: empty, with id, method and url.</summary>
    internal static XElement Confirm(ConfirmationRequest request) =>
        new(
            HttpAuthNames.Confirm,
            new XAttribute("id", request.TransactionId),
            new XAttribute("method", request.Method),
            new XAttribute("url", request.Url.AbsoluteUri));

    internal static string Prompt(ConfirmationRequest request) =>
        $"Someone (maybe you) has requested {request.Url.AbsoluteUri} with method {request.Method}; the transaction identifier is {request.TransactionId}. "
        + "Reply OK to confirm it, or No to deny it; if you did not make this request, deny or ignore it.";

    // XEP-0070 section 4.2: a full JID SHOULD be asked by IQ get; a result confirms, an error (SHOULD be
    // not-authorized) denies.
    private async Task<ConfirmationOutcome> ByIqAsync(ConfirmationRequest request, string hint, CancellationToken cancellationToken)
    {
        var iq = new XElement(
            XmppNames.Iq,
            new XAttribute("type", "get"),
            new XAttribute("from", _connection.Domain),
            new XAttribute("to", request.Jid.ToString()),
            Confirm(request));
        try
        {
            Log.ConfirmationSent(_logger, request.Jid.ToString(), hint, "IQ");
            var response = await _connection.SendIqAsync(iq, request.Timeout, cancellationToken);
            return (string?)response.Attribute("type") == "result" ? ConfirmationOutcome.Confirmed : ConfirmationOutcome.Denied;
        }
        catch (TimeoutException)
        {
            return ConfirmationOutcome.NoAnswer;
        }
        catch (XmppLinkUnavailableException exception)
        {
            Log.ConfirmationNotSent(_logger, request.Jid.ToString(), hint, exception.Message);
            return ConfirmationOutcome.Unavailable;
        }
    }

    // XEP-0070 section 4.2: a bare JID MUST be asked by message, so that its server delivers it to the most available
    // resource; the thread tracks the answer and the body serves clients that do not know the protocol.
    private async Task<ConfirmationOutcome> ByMessageAsync(ConfirmationRequest request, string hint, CancellationToken cancellationToken)
    {
        var thread = PendingConfirmations.NewThread();
        var message = new XElement(
            XmppNames.Message,
            new XAttribute("type", "normal"),
            new XAttribute("from", _connection.Domain),
            new XAttribute("to", request.Jid.ToString()),
            new XAttribute("id", thread),
            new XAttribute(XmppNames.Lang, "en"),
            new XElement(XmppNames.Component + "thread", thread),
            new XElement(XmppNames.Component + "body", Prompt(request)),
            Confirm(request));

        var answer = _pending.Register(thread, request.Jid, request.TransactionId);
        try
        {
            // The timer starts before the message is on the wire: the timeout bounds the write as well as the answer.
            using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var answered = answer.WaitAsync(request.Timeout, _time, abandon.Token);
            try
            {
                Log.ConfirmationSent(_logger, request.Jid.ToString(), hint, "message");
                await _connection.SendAsync(message, cancellationToken);
            }
            catch (Exception exception)
            {
                await abandon.CancelAsync();
                await ((Task)answered).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (exception is XmppLinkUnavailableException)
                {
                    Log.ConfirmationNotSent(_logger, request.Jid.ToString(), hint, exception.Message);
                    return ConfirmationOutcome.Unavailable;
                }

                throw;
            }

            try
            {
                return await answered;
            }
            catch (TimeoutException)
            {
                return ConfirmationOutcome.NoAnswer;
            }
        }
        finally
        {
            _pending.Remove(thread);
        }
    }

    private static string? Unsendable(ConfirmationRequest request)
    {
        if (string.IsNullOrEmpty(request.TransactionId) || request.TransactionId.Length > MaxTransactionIdLength || !IsXmlText(request.TransactionId))
        {
            return $"the transaction identifier is empty, longer than {MaxTransactionIdLength} characters or not XML text";
        }

        if (string.IsNullOrEmpty(request.Method) || request.Method.Length > MaxMethodLength || !request.Method.All(c => c is > ' ' and < '\u007f'))
        {
            return "the HTTP method is not a token";
        }

        if (!request.Url.IsAbsoluteUri || request.Url.AbsoluteUri.Length > MaxUrlLength || !IsXmlText(request.Url.AbsoluteUri))
        {
            return $"the URL is not absolute, longer than {MaxUrlLength} characters or not XML text";
        }

        return null;
    }

    private static bool IsXmlText(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (XmlConvert.IsXmlChar(value[i]))
            {
                continue;
            }

            if (i + 1 < value.Length && XmlConvert.IsXmlSurrogatePair(value[i + 1], value[i]))
            {
                i++;
                continue;
            }

            return false;
        }

        return true;
    }
}
