using Microsoft.AspNetCore.Http;

namespace XmppUpload.Http.Dav.Auth;

/// <summary>
/// An answer that ends the request instead of letting it through: a status, a short text for the client, whether to
/// send the XEP-0070 challenge (and with <c>stale=true</c>), and an optional Retry-After.
/// </summary>
internal sealed record Refusal(int StatusCode, string Message, bool Challenge = false, bool Stale = false, TimeSpan? RetryAfter = null)
{
    public static Refusal Unauthorized(string message, bool stale = false) => new(StatusCodes.Status401Unauthorized, message, Challenge: true, Stale: stale);
}
