using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace XmppUpload.Cluster.Tests;

/// <summary>WebDAV requests as an XEP-0129 client sends them, with XEP-0070 credentials (Basic or Digest).</summary>
internal static partial class WebDavRequests
{
    private const string Xep0129 = "http://www.xmpp.org/extensions/xep-0129.html#ns";

    /// <summary>XEP-0070 section 4.1: the JID as the user name, the transaction id as the password.</summary>
    public static AuthenticationHeaderValue Basic(string jid, string transactionId) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{jid}:{transactionId}")));

    /// <summary>The RFC 7616 answer for MD5 and qop=auth, the cnonce being the transaction id (XEP-0070 section 4.1).</summary>
    public static AuthenticationHeaderValue Digest(string jid, string transactionId, DigestChallenge challenge, string method, string uri, string nonceCount)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        var ha1 = Md5($"{jid}:xmpp:{transactionId}");
        var ha2 = Md5($"{method}:{uri}");
        var response = Md5($"{ha1}:{challenge.Nonce}:{nonceCount}:{transactionId}:auth:{ha2}");
        return new AuthenticationHeaderValue("Digest",
            $"username=\"{jid}\", realm=\"xmpp\", nonce=\"{challenge.Nonce}\", uri=\"{uri}\", qop=auth, nc={nonceCount}, " +
            $"cnonce=\"{transactionId}\", response=\"{response}\", opaque=\"{challenge.Opaque}\", algorithm=MD5");
    }

    /// <summary>The Digest challenge of a 401 answer to <paramref name="url"/> asked without credentials.</summary>
    public static async Task<DigestChallenge> ChallengeAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var response = await http.GetAsync(url, cancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        var digest = response.Headers.WwwAuthenticate.Single(h => h.Scheme == "Digest").Parameter!;
        var nonce = NonceParameter().Match(digest);
        var opaque = OpaqueParameter().Match(digest);
        Assert.True(nonce.Success && opaque.Success, digest);
        return new DigestChallenge(nonce.Groups["value"].Value, opaque.Groups["value"].Value);
    }

    /// <summary>A PROPPATCH body that sets the XEP-0129 jidlist to <paramref name="jid"/> alone.</summary>
    public static StringContent JidList(string jid) => new($"""
        <?xml version="1.0" encoding="utf-8"?>
        <propertyupdate xmlns="DAV:"><set><prop>
          <jidlist xmlns="{Xep0129}"><jid>{jid}</jid></jidlist>
        </prop></set></propertyupdate>
        """, Encoding.UTF8, "application/xml");

    public static StringContent PropfindAll() =>
        new("""<?xml version="1.0" encoding="utf-8"?><propfind xmlns="DAV:"><allprop/></propfind>""", Encoding.UTF8, "application/xml");

    public static async Task<HttpResponseMessage> SendAsync(
        HttpClient http,
        HttpMethod method,
        Uri url,
        AuthenticationHeaderValue authorization,
        CancellationToken cancellationToken,
        HttpContent? content = null,
        params (string Name, string Value)[] headers)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var request = new HttpRequestMessage(method, url) { Content = content };
        request.Headers.Authorization = authorization;
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await http.SendAsync(request, cancellationToken);
        // The body is read here, so that the response counts as ended for the balancer when this returns.
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        return response;
    }

    /// <summary>
    /// How the nodes name a transaction id in their logs (the id itself never appears): "sha256:" and the first four
    /// bytes of its SHA-256 in hex, as src/XmppUpload.Xmpp/HttpAuth/TransactionHint.cs writes it.
    /// </summary>
    public static string Hint(string transactionId) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(transactionId)).AsSpan(0, 4));

    private static string Md5(string value)
    {
#pragma warning disable CA5351 // RFC 7616 Digest with algorithm=MD5 is what the node offers and what is under test.
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(value)));
#pragma warning restore CA5351
    }

    [GeneratedRegex(@"nonce=""(?<value>[^""]+)""")]
    private static partial Regex NonceParameter();

    [GeneratedRegex(@"opaque=""(?<value>[^""]+)""")]
    private static partial Regex OpaqueParameter();
}
