using System.Data.Common;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Core.Ports;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>
/// <see cref="IDavAuthenticator"/> by XEP-0070: Basic or Digest credentials in realm "xmpp", the access decision before
/// any prompt, confirmed (JID, transaction id) pairs reused for <see cref="WebDavOptions.CredentialLifetime"/>, one
/// shared prompt for concurrent requests with the same pair, and at most <see cref="WebDavOptions.PromptsPerWindow"/>
/// prompts per bare JID per <see cref="WebDavOptions.PromptWindow"/>. The Digest nonce key comes from the
/// <see cref="ISharedSecretStore"/>, and nonce counts and users' answers live in the <see cref="IHttpAuthStateStore"/>,
/// so that behind a load balancer any node accepts what another node issued or was told; prompts in flight and the
/// rate limit are this process's own.
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
    private readonly ISharedSecretStore _secrets;
    private readonly IHttpAuthStateStore _state;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly PromptRateLimiter _rateLimiter;
    private readonly Dictionary<(Jid Jid, string TransactionId), Task<Resolution>> _pending = [];
    private Task<DigestKeyed>? _digest;

    public XmppDavAuthenticator(
        IHttpAuthConfirmer confirmer,
        IOptions<WebDavOptions> options,
        TimeProvider timeProvider,
        ISharedSecretStore secrets,
        IHttpAuthStateStore state,
        ILogger<XmppDavAuthenticator> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _confirmer = confirmer;
        _options = options.Value;
        _timeProvider = timeProvider;
        _secrets = secrets;
        _state = state;
        _logger = logger;
        _rateLimiter = new PromptRateLimiter(_options.PromptsPerWindow, _options.PromptWindow);
    }

    /// <summary>
    /// Reads the Digest nonce key from the shared secret store (creating it on the deployment's first start). The node
    /// calls this while starting, so that a ledger it cannot read stops the start rather than the first request; a
    /// request that comes earlier loads the key itself.
    /// </summary>
    public Task LoadNonceKeyAsync(CancellationToken cancellationToken) => GetDigestAsync(cancellationToken);

    public async ValueTask<DavAuthentication> AuthenticateAsync(HttpContext context, Func<Jid, DavAccess> decide, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(decide);
        var request = context.Request;
        var digest = await GetDigestAsync(cancellationToken);
        var (credentials, refusal) = await digest.Reader.ReadAsync(request, cancellationToken);
        if (credentials is null)
        {
            await RefuseAsync(context, digest.Nonces, refusal!, cancellationToken);
            return DavAuthentication.ResponseWritten;
        }

        // XEP-0070 section 4.4 and XEP-0129 section 6: check access first, so nobody is prompted for a request that
        // would be refused anyway.
        var jid = credentials.Jid;
        if (decide(jid) != DavAccess.Allowed)
        {
            Log.Forbidden(_logger, request.Method, request.Path, jid);
            await RefuseAsync(context, digest.Nonces, new Refusal(StatusCodes.Status403Forbidden, $"{jid} may not {request.Method} this resource; nobody was asked to confirm it."), cancellationToken);
            return DavAuthentication.ResponseWritten;
        }

        refusal = await ConfirmAsync(request, credentials, cancellationToken);
        if (refusal is not null)
        {
            await RefuseAsync(context, digest.Nonces, refusal, cancellationToken);
            return DavAuthentication.ResponseWritten;
        }

        return new DavAuthentication(jid);
    }

    /// <summary>Null when the pair is confirmed (now or within the credential lifetime), otherwise why not.</summary>
    private async Task<Refusal?> ConfirmAsync(HttpRequest request, DavCredentials credentials, CancellationToken cancellationToken)
    {
        var (jid, transactionId) = credentials;
        var key = (jid, transactionId);
        Task<Resolution> resolution;
        lock (_gate)
        {
            // Concurrent requests with one pair share one look-up and at most one prompt.
            if (!_pending.TryGetValue(key, out resolution!))
            {
                resolution = ResolveAsync(new ConfirmationRequest(jid, transactionId, request.Method, new Uri(request.GetEncodedUrl()), _options.ConfirmTimeout));
                _pending[key] = resolution;
            }
        }

        // Each waiter gives up with its own request; the resolution itself goes on (a prompt under its own timeout) and
        // its answer is recorded, so a client that retries with the same pair gets it without a second prompt.
        var (outcome, retryAfter) = await resolution.WaitAsync(cancellationToken);
        if (retryAfter is { } wait)
        {
            // XEP-0070 section 7 (prompt bombing): 429 with Retry-After rather than 401, which would invite the client
            // (or a browser's login dialog) to retry at once and is no help to the user being prompted.
            return new Refusal(StatusCodes.Status429TooManyRequests,
                $"{jid.Bare} has been asked to confirm too many requests lately; retry later.", RetryAfter: wait);
        }

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

    /// <summary>
    /// Decides one pair apart from any single request: the answer recorded within the credential lifetime (given through
    /// any node), else a prompt if the rate limit allows, whose answer is recorded before the waiters go (so a request
    /// that arrives after this leaves <c>_pending</c> finds it recorded).
    /// </summary>
    private async Task<Resolution> ResolveAsync(ConfirmationRequest prompt)
    {
        await Task.Yield();
        try
        {
            var now = _timeProvider.GetUtcNow();
            if (await _state.FindAnswerAsync(prompt.Jid, prompt.TransactionId, now - _options.CredentialLifetime, CancellationToken.None) is { } known)
            {
                if (known == ConfirmationOutcome.Confirmed)
                {
                    Log.CredentialReused(_logger, prompt.Jid, Log.Redact(prompt.TransactionId));
                }

                return new Resolution(known);
            }

            bool allowed;
            TimeSpan retryAfter;
            lock (_gate)
            {
                allowed = _rateLimiter.TryAcquire(prompt.Jid.Bare, now, out retryAfter);
            }

            if (!allowed)
            {
                Log.PromptRateLimited(_logger, prompt.Jid, _options.PromptsPerWindow, _options.PromptWindow, retryAfter);
                return new Resolution(ConfirmationOutcome.NoAnswer, retryAfter);
            }

            Log.Prompting(_logger, prompt.Jid, prompt.Method, prompt.Url, Log.Redact(prompt.TransactionId));
            var outcome = await AskAsync(prompt);
            if (outcome == ConfirmationOutcome.Denied
                || (outcome == ConfirmationOutcome.Confirmed && prompt.TransactionId.Length >= MinReusableTransactionIdLength))
            {
                await RecordAsync(prompt, outcome == ConfirmationOutcome.Confirmed);
            }

            return new Resolution(outcome);
        }
        finally
        {
            lock (_gate)
            {
                _pending.Remove((prompt.Jid, prompt.TransactionId));
            }
        }
    }

    /// <summary>Sends one prompt and waits for its answer, never longer than its timeout and a grace.</summary>
    private async Task<ConfirmationOutcome> AskAsync(ConfirmationRequest prompt)
    {
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
        return outcome;
    }

    /// <summary>Records the answer for the credential lifetime; if that fails, the answer still holds for this request.</summary>
    private async Task RecordAsync(ConfirmationRequest prompt, bool confirmed)
    {
        var now = _timeProvider.GetUtcNow();
        try
        {
            await _state.RecordAnswerAsync(prompt.Jid, prompt.TransactionId, confirmed, now, now + _options.CredentialLifetime, CancellationToken.None);
        }
        catch (Exception exception) when (exception is DbException or TimeoutException or InvalidOperationException)
        {
            // The user answered; failing the request for our bookkeeping would make them answer again for nothing.
            Log.AnswerNotRecorded(_logger, prompt.Jid, exception);
        }
    }

    /// <summary>
    /// The nonces and the reader made with the shared key, loaded once. A failed load is forgotten, so the next request
    /// tries again instead of failing for good.
    /// </summary>
    private async Task<DigestKeyed> GetDigestAsync(CancellationToken cancellationToken)
    {
        Task<DigestKeyed> loading;
        lock (_gate)
        {
            loading = _digest ??= LoadDigestAsync();
        }

        try
        {
            return await loading.WaitAsync(cancellationToken);
        }
        catch (Exception) when (loading.IsFaulted)
        {
            lock (_gate)
            {
                if (_digest == loading)
                {
                    _digest = null;
                }
            }

            throw;
        }
    }

    private async Task<DigestKeyed> LoadDigestAsync()
    {
        await Task.Yield();
        var key = await _secrets.GetOrCreateSecretAsync(DigestNonces.SecretName, DigestNonces.KeyLength, CancellationToken.None);
        var nonces = new DigestNonces(_timeProvider, key);
        return new DigestKeyed(nonces, new CredentialReader(nonces, _state, _logger));
    }

    private static Refusal Denied(Jid jid) =>
        new(StatusCodes.Status403Forbidden, $"The request was denied by {jid}.");

    private async Task RefuseAsync(HttpContext context, DigestNonces nonces, Refusal refusal, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var response = context.Response;
        response.StatusCode = refusal.StatusCode;
        var headers = response.Headers;
        if (refusal.Challenge)
        {
            Log.Challenged(_logger, request.Method, request.Path, refusal.Message);

            // XEP-0070 section 4.2: one WWW-Authenticate per scheme, realm "xmpp".
            var digest = $"Digest realm=\"{CredentialReader.Realm}\", qop=\"auth\", algorithm=MD5, nonce=\"{nonces.Issue()}\", opaque=\"{nonces.Opaque}\"";
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

    /// <summary>How a pair was decided: the outcome, or (when <see cref="RateLimitedFor"/> is set) no prompt was allowed.</summary>
    private readonly record struct Resolution(ConfirmationOutcome Outcome, TimeSpan? RateLimitedFor = null);

    private sealed record DigestKeyed(DigestNonces Nonces, CredentialReader Reader);
}
