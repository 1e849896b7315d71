using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.HttpAuth;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>
/// Reads XEP-0070 credentials from a Basic (RFC 7617) or Digest (RFC 7616, MD5, qop=auth) Authorization header:
/// userid = JID, password (Basic) or cnonce (Digest) = transaction id, both percent-decoded (XEP-0070 section 4.1).
/// Everything it cannot accept becomes a <see cref="Refusal"/>.
/// </summary>
internal sealed class CredentialReader(DigestNonces nonces, IHttpAuthStateStore state, ILogger logger)
{
    public const string Realm = "xmpp";

    /// <summary>Transaction ids go into an XMPP attribute and a message body; longer ones are refused.</summary>
    public const int MaxTransactionIdLength = 256;

    /// <summary>Uses per nonce before the client is sent a new one; bounds what one nonce can make the server remember.</summary>
    public const int MaxUsesPerNonce = 1_000;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The credentials of the request, or why it cannot be let through (exactly one of the two is set).</summary>
    public async Task<(DavCredentials? Credentials, Refusal? Refusal)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.Authorization;
        if (headers.Count == 0)
        {
            return (null, Refusal.Unauthorized(
                "Log in with your JID (for example juliet@example.org/laptop) as the user name and a transaction id of your choice " +
                "as the password; you will be asked over XMPP to confirm this request and that id. Never enter your XMPP password here."));
        }

        if (headers.Count > 1)
        {
            return (null, Refusal.Unauthorized("Send exactly one Authorization header."));
        }

        var value = headers[0]!.Trim();
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space < 0 ? value : value[..space];
        var parameters = space < 0 ? string.Empty : value[(space + 1)..].Trim();
        if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            var basic = ReadBasic(parameters, out var refusal);
            return (basic, refusal);
        }

        if (scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase))
        {
            return await ReadDigestAsync(request, parameters, cancellationToken);
        }

        return (null, Refusal.Unauthorized(
            $"The {scheme} authentication scheme is not supported here; use Basic or Digest with realm \"{Realm}\", " +
            "your JID as the user name and a transaction id of your choice as the password."));
    }

    private static DavCredentials? ReadBasic(string token68, out Refusal? refusal)
    {
        // RFC 7617 section 2 with charset="UTF-8"; XEP-0070 section 4.1 asks for RFC 4648 section 4 base64.
        var buffer = new byte[(token68.Length * 3 / 4) + 3];
        string pair;
        try
        {
            if (token68.Length == 0 || !Convert.TryFromBase64Chars(token68, buffer, out var written))
            {
                refusal = Refusal.Unauthorized("The Basic credentials are not base64 (RFC 4648 section 4).");
                return null;
            }

            pair = StrictUtf8.GetString(buffer, 0, written);
        }
        catch (DecoderFallbackException)
        {
            refusal = Refusal.Unauthorized("The Basic credentials are not UTF-8.");
            return null;
        }

        // RFC 7617: the user-id ends at the first ':'; a ':' in a JID's resource has to be sent as %3A.
        var colon = pair.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            refusal = Refusal.Unauthorized("The Basic credentials have no ':' between the JID and the transaction id.");
            return null;
        }

        return ToCredentials(pair[..colon], pair[(colon + 1)..], out refusal);
    }

    private async Task<(DavCredentials? Credentials, Refusal? Refusal)> ReadDigestAsync(HttpRequest request, string text, CancellationToken cancellationToken)
    {
        var checkedDigest = CheckDigest(request, text, out var refusal);
        if (checkedDigest is not { } digest)
        {
            return (null, refusal);
        }

        // The nonce key is shared by the cluster and so is this record: a count used on one node is a replay on every other.
        switch (await state.TryUseNonceCountAsync(digest.Nonce, digest.NonceCount, digest.NonceExpiresAt, MaxUsesPerNonce, cancellationToken))
        {
            case NonceCountUse.Replayed:
                Log.NonceCountReplayed(logger, digest.Username, digest.Nc);
                return (null, Refusal.Unauthorized("This Digest nonce count was already used with this nonce; increase nc for every request."));
            case NonceCountUse.NonceExhausted:
                return (null, Refusal.Unauthorized("This Digest nonce has been used too often; retry with the new one.", stale: true));
            case NonceCountUse.Full:
                Log.NonceTableFull(logger, NonceCountGuard.DefaultMaxNonces);
                return (null, new Refusal(StatusCodes.Status503ServiceUnavailable, "Too many Digest logins at once; retry shortly or use Basic.", RetryAfter: DigestNonces.Lifetime));
            case NonceCountUse.Fresh:
            default:
                break;
        }

        // XEP-0070 section 4.1: the checksum is over the percent-encoded forms; the JID and transaction id are decoded.
        var credentials = ToCredentials(digest.Username, digest.Cnonce, out refusal);
        return (credentials, refusal);
    }

    /// <summary>Everything about a Digest header that needs no state: its form, its nonce, its uri and its response.</summary>
    private DigestUse? CheckDigest(HttpRequest request, string text, out Refusal? refusal)
    {
        if (!DigestParameters.TryParse(text, out var p) || p is null)
        {
            refusal = Refusal.Unauthorized("The Digest credentials are not a list of name=value parameters (RFC 7616 section 3.4).");
            return null;
        }

        string[] required = ["username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce"];
        var missing = required.Where(name => string.IsNullOrEmpty(p[name])).ToList();
        if (missing.Count > 0)
        {
            refusal = Refusal.Unauthorized(
                $"The Digest credentials lack {string.Join(", ", missing)}; the cnonce is your transaction id (XEP-0070 section 4.1).");
            return null;
        }

        var username = p["username"]!;
        var nonce = p["nonce"]!;
        var uri = p["uri"]!;
        var nc = p["nc"]!;
        var cnonce = p["cnonce"]!;
        if (!string.Equals(p["realm"], Realm, StringComparison.Ordinal))
        {
            refusal = Refusal.Unauthorized($"The Digest realm must be \"{Realm}\".");
            return null;
        }

        if (p["algorithm"] is { } algorithm && !algorithm.Equals("MD5", StringComparison.OrdinalIgnoreCase))
        {
            refusal = Refusal.Unauthorized("Only Digest algorithm=MD5 is offered.");
            return null;
        }

        if (!p["qop"]!.Equals("auth", StringComparison.OrdinalIgnoreCase) || string.Equals(p["userhash"], "true", StringComparison.OrdinalIgnoreCase))
        {
            refusal = Refusal.Unauthorized("Only Digest qop=auth without userhash is offered.");
            return null;
        }

        if (nc.Length != 8 || !uint.TryParse(nc, System.Globalization.NumberStyles.AllowHexSpecifier, null, out var nonceCount))
        {
            refusal = Refusal.Unauthorized("The Digest nc must be 8 hex digits.");
            return null;
        }

        // A nonce made with another key (or the opaque of another deployment) gets a fresh challenge, never stale=true.
        var validity = nonces.Check(nonce, out var nonceExpiresAt);
        if (validity == NonceValidity.Invalid || (p["opaque"] is { } opaque && !string.Equals(opaque, nonces.Opaque, StringComparison.Ordinal)))
        {
            refusal = Refusal.Unauthorized("The Digest nonce was not issued by this server; use the one in this challenge.");
            return null;
        }

        // RFC 7616 section 3.4.6: the uri directive must name the resource of the request line; if not, 400.
        if (!UriMatchesRequest(uri, request))
        {
            refusal = new Refusal(StatusCodes.Status400BadRequest, "The Digest uri does not match the request target.");
            return null;
        }

        // XEP-0070 section 4.1 profiles Digest so that the cnonce is the transaction id; it names no password, and
        // there is no secret shared with the server: what proves the request is the user's confirmation of (JID,
        // cnonce) over XMPP. A generic Digest client (neon, curl, a browser) still hashes whatever the user typed as
        // its password, which the server never learns, so the response cannot be recomputed here. It is held to its
        // form (an MD5 in hex); the nonce, its count and the uri above and below are what bind the request.
        var response = p["response"]!;
        if (!DigestResponse.IsWellFormed(response))
        {
            refusal = Refusal.Unauthorized("The Digest response is not an MD5 checksum: compute it per RFC 7616 with qop=auth and MD5, the cnonce being your transaction id.");
            return null;
        }

        // RFC 7616 section 3.3: stale=true only for a well-formed answer to an old nonce of ours, so the client retries silently.
        if (validity == NonceValidity.Stale)
        {
            refusal = Refusal.Unauthorized("The Digest nonce has expired; retry with the new one.", stale: true);
            return null;
        }

        refusal = null;
        return new DigestUse(username, nonce, nonceCount, nonceExpiresAt, nc, cnonce);
    }

    private static DavCredentials? ToCredentials(string encodedJid, string encodedTransactionId, out Refusal? refusal)
    {
        refusal = null;
        if (!PercentDecoding.TryDecode(encodedJid, out var jidText) || !Jid.TryParse(jidText, out var jid))
        {
            refusal = Refusal.Unauthorized(
                $"The user name '{Printable(encodedJid)}' is not a JID; give your JID (user@domain or user@domain/resource), " +
                "percent-encoding characters outside US-ASCII (XEP-0070 section 4.1).");
            return null;
        }

        if (!PercentDecoding.TryDecode(encodedTransactionId, out var transactionId)
            || transactionId.Length == 0
            || transactionId.Length > MaxTransactionIdLength
            || transactionId.Any(char.IsControl))
        {
            refusal = Refusal.Unauthorized(
                $"Give a transaction id of your choice (1 to {MaxTransactionIdLength} printable characters, percent-encoded outside US-ASCII) " +
                "as the password; you will be asked over XMPP to confirm it.");
            return null;
        }

        return new DavCredentials(jid, transactionId);
    }

    private static bool UriMatchesRequest(string uri, HttpRequest request)
    {
        var rawTarget = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (!string.IsNullOrEmpty(rawTarget) && string.Equals(uri, rawTarget, StringComparison.Ordinal))
        {
            return true;
        }

        var originForm = string.IsNullOrEmpty(rawTarget) || rawTarget[0] != '/' ? request.GetEncodedPathAndQuery() : rawTarget;
        if (string.Equals(uri, originForm, StringComparison.Ordinal))
        {
            return true;
        }

        // RFC 7616 section 3.4: uri is the effective request URI, which clients may also send in absolute form.
        var authority = $"{request.Scheme}://{request.Host.Value}";
        return uri.Length == authority.Length + originForm.Length
            && uri.StartsWith(authority, StringComparison.OrdinalIgnoreCase)
            && uri.AsSpan(authority.Length).SequenceEqual(originForm);
    }

    private static string Printable(string value)
    {
        var shown = value.Length > 64 ? value[..64] + "…" : value;
        return new string([.. shown.Select(c => char.IsControl(c) ? '?' : c)]);
    }

    /// <summary>A Digest answer whose form, nonce, uri and response passed, with what its replay check and credentials need.</summary>
    private readonly record struct DigestUse(string Username, string Nonce, uint NonceCount, DateTimeOffset NonceExpiresAt, string Nc, string Cnonce);
}
