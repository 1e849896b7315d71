using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.HttpAuth;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>
/// <see cref="IDavAuthenticator"/> by XEP-0070: Basic or Digest credentials in realm "xmpp", the access decision before
/// any prompt, confirmed (JID, transaction id) pairs reused for <see cref="WebDavOptions.CredentialLifetime"/>, one
/// shared prompt for concurrent requests with the same pair, and at most <see cref="WebDavOptions.PromptsPerWindow"/>
/// prompts per bare JID per <see cref="WebDavOptions.PromptWindow"/>.
/// </summary>
public sealed class XmppDavAuthenticator : IDavAuthenticator
{
    /// <summary>
    /// A confirmed pair is reused only when its transaction id is at least this long. A reusable pair is a bearer
    /// credential: with a short id, an attacker who knows the JID could guess it while the prompts it costs are
    /// rate-limited; such ids still work, each request is just confirmed again.
    /// </summary>
    public const int MinReusableTransactionIdLength = 8;

    // When the confirmer cannot send the request (no component link), clients are asked to come back after this.
    private static readonly TimeSpan UnavailableRetryAfter = TimeSpan.FromSeconds(30);

    // The confirmer owns ConfirmTimeout; this only stops a confirmer that ignores it from holding a prompt forever.
    private static readonly TimeSpan ConfirmGrace = TimeSpan.FromSeconds(5);

    private readonly IHttpAuthConfirmer _confirmer;
    private readonly WebDavOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly DigestNonces _nonces;
    private readonly CredentialReader _reader;
    private readonly Lock _gate = new();
    private readonly ConfirmedCredentialCache _answers = new();
    private readonly PromptRateLimiter _rateLimiter;
    private readonly Dictionary<(Jid Jid, string TransactionId), Task<ConfirmationOutcome>> _pending = [];

    public XmppDavAuthenticator(IHttpAuthConfirmer confirmer, IOptions<WebDavOptions> options, TimeProvider timeProvider, ILogger<XmppDavAuthenticator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _confirmer = confirmer;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _nonces = new DigestNonces(timeProvider);
        _reader = new CredentialReader(_nonces, new NonceCountGuard(timeProvider), logger);
        _rateLimiter = new PromptRateLimiter(_options.PromptsPerWindow, _options.PromptWindow);
    }

    public async ValueTask<DavAuthentication> AuthenticateAsync(HttpContext context, Func<Jid, DavAccess> decide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(decide);
        var request = context.Request;
        var credentials = _reader.Read(request, out var refusal);
        if (credentials is null)
        {
            await RefuseAsync(context, refusal!, cancellationToken);
            return DavAuthentication.ResponseWritten;
        }

        // XEP-0070 section 4.4 and XEP-0129 section 6: check access first, so nobody is prompted for a request that
        // would be refused anyway.
        var jid = credentials.Jid;
        if (decide(jid) != DavAccess.Allowed)
        {
            Log.Forbidden(_logger, request.Method, request.Path, jid);
            await RefuseAsync(context, new Refusal(StatusCodes.Status403Forbidden, $"{jid} may not {request.Method} this resource; nobody was asked to confirm it."), cancellationToken);
            return DavAuthentication.ResponseWritten;
        }

        refusal = await ConfirmAsync(request, credentials, cancellationToken);
        if (refusal is not null)
        {
            await RefuseAsync(context, refusal, cancellationToken);
            return DavAuthentication.ResponseWritten;
        }

        return new DavAuthentication(jid);
    }

    /// <summary>Null when the pair is confirmed (now or within the credential lifetime), otherwise why not.</summary>
    private async Task<Refusal?> ConfirmAsync(HttpRequest request, DavCredentials credentials, CancellationToken cancellationToken)
    {
        var (jid, transactionId) = credentials;
        var key = (jid, transactionId);
        var now = _timeProvider.GetUtcNow();
        Task<ConfirmationOutcome> answer;
        ConfirmationRequest? prompt = null;
        lock (_gate)
        {
            if (_answers.TryGet(jid, transactionId, now - _options.CredentialLifetime, out var confirmed))
            {
                if (confirmed)
                {
                    Log.CredentialReused(_logger, jid, Log.Redact(transactionId));
                    return null;
                }

                return Denied(jid);
            }

            if (!_pending.TryGetValue(key, out answer!))
            {
                if (!_rateLimiter.TryAcquire(jid.Bare, now, out var retryAfter))
                {
                    Log.PromptRateLimited(_logger, jid, _options.PromptsPerWindow, _options.PromptWindow, retryAfter);

                    // XEP-0070 section 7 (prompt bombing): 429 with Retry-After rather than 401, which would invite the
                    // client (or a browser's login dialog) to retry at once and is no help to the user being prompted.
                    return new Refusal(StatusCodes.Status429TooManyRequests,
                        $"{jid.Bare} has been asked to confirm too many requests lately; retry later.", RetryAfter: retryAfter);
                }

                prompt = new ConfirmationRequest(jid, transactionId, request.Method, new Uri(request.GetEncodedUrl()), _options.ConfirmTimeout);
                answer = AskAsync(prompt);
                _pending[key] = answer;
            }
        }

        if (prompt is not null)
        {
            Log.Prompting(_logger, jid, prompt.Method, prompt.Url, Log.Redact(transactionId));
        }

        // Each waiter gives up with its own request; the prompt itself goes on (under its own timeout) and its answer
        // is remembered, so a client that retries with the same pair gets it without a second prompt.
        var outcome = await answer.WaitAsync(cancellationToken);
        return outcome switch
        {
            ConfirmationOutcome.Confirmed => null,
            ConfirmationOutcome.Denied => Denied(jid),
            ConfirmationOutcome.NoAnswer => Refusal.Unauthorized(
                $"No confirmation arrived from {jid} within {_options.ConfirmTimeout.TotalSeconds:0} seconds; confirm the request in your XMPP client and try again."),

            // Not a credentials problem, so not 401 (which would make clients ask the user for new ones): the service
            // could not reach the user over XMPP right now.
            _ => new Refusal(StatusCodes.Status503ServiceUnavailable,
                $"The confirmation request could not be sent to {jid}; try again later.", RetryAfter: UnavailableRetryAfter),
        };
    }

    /// <summary>Runs one prompt apart from any single request, then records the answer and lets the waiters go.</summary>
    private async Task<ConfirmationOutcome> AskAsync(ConfirmationRequest prompt)
    {
        await Task.Yield();
        ConfirmationOutcome outcome;
        using (var deadline = new CancellationTokenSource(prompt.Timeout + ConfirmGrace, _timeProvider))
        {
            try
            {
                outcome = await _confirmer.ConfirmAsync(prompt, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                outcome = ConfirmationOutcome.NoAnswer;
            }
#pragma warning disable CA1031 // A broken confirmer must still release every waiting request, each with a 503.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                Log.ConfirmerFailed(_logger, prompt.Jid, exception);
                outcome = ConfirmationOutcome.Unavailable;
            }
        }

        Log.Answered(_logger, prompt.Jid, outcome.ToString(), Log.Redact(prompt.TransactionId));
        var now = _timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (outcome == ConfirmationOutcome.Denied
                || (outcome == ConfirmationOutcome.Confirmed && prompt.TransactionId.Length >= MinReusableTransactionIdLength))
            {
                _answers.Add(prompt.Jid, prompt.TransactionId, outcome == ConfirmationOutcome.Confirmed, now, now - _options.CredentialLifetime);
            }

            _pending.Remove((prompt.Jid, prompt.TransactionId));
        }

        return outcome;
    }

    private static Refusal Denied(Jid jid) =>
        new(StatusCodes.Status403Forbidden, $"The request was denied by {jid}.");

    private async Task RefuseAsync(HttpContext context, Refusal refusal, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var response = context.Response;
        response.StatusCode = refusal.StatusCode;
        var headers = response.Headers;
        if (refusal.Challenge)
        {
            Log.Challenged(_logger, request.Method, request.Path, refusal.Message);

            // XEP-0070 section 4.2: one WWW-Authenticate per scheme, realm "xmpp".
            var digest = $"Digest realm=\"{CredentialReader.Realm}\", qop=\"auth\", algorithm=MD5, nonce=\"{_nonces.Issue()}\", opaque=\"{_nonces.Opaque}\"";
            headers.Append(HeaderNames.WWWAuthenticate, $"Basic realm=\"{CredentialReader.Realm}\", charset=\"UTF-8\"");
            headers.Append(HeaderNames.WWWAuthenticate, refusal.Stale ? digest + ", stale=true" : digest);
        }
        else
        {
            Log.Refused(_logger, request.Method, request.Path, refusal.StatusCode, refusal.Message);
        }

        if (refusal.RetryAfter is { } retryAfter)
        {
            headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        response.ContentType = "text/plain; charset=utf-8";
        await response.WriteAsync(refusal.Message + "\n", cancellationToken);
    }
}
