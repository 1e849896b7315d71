using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Core.Ports;
using XmppUpload.Http.Dav;
using XmppUpload.Http.Dav.Auth;
using XmppUpload.Testing;

namespace XmppUpload.Http.Tests.DavAuth;

/// <summary>
/// An authenticator on a fake clock with a scripted confirmer, and requests built on <see cref="DefaultHttpContext"/>.
/// By default it has a deployment of its own (its own nonce key and in-memory state); harnesses given the same clock,
/// secrets and state are nodes of one cluster.
/// </summary>
internal sealed partial class DavAuthHarness
{
    public const string Host = "files.example.org";

    public DavAuthHarness(
        Action<WebDavOptions>? configure = null,
        ILogger<XmppDavAuthenticator>? logger = null,
        FakeTimeProvider? clock = null,
        ISharedSecretStore? secrets = null,
        IHttpAuthStateStore? state = null)
    {
        configure?.Invoke(Options);
        Clock = clock ?? new FakeTimeProvider();
        Secrets = secrets ?? new MemorySharedSecretStore();
        State = state ?? new MemoryHttpAuthStateStore(Clock);
        Authenticator = new XmppDavAuthenticator(
            Confirmer,
            Microsoft.Extensions.Options.Options.Create(Options),
            Clock,
            Secrets,
            State,
            logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<XmppDavAuthenticator>.Instance);
    }

    public WebDavOptions Options { get; } = new();

    public FakeTimeProvider Clock { get; }

    public ISharedSecretStore Secrets { get; }

    public IHttpAuthStateStore State { get; }

    public ScriptedConfirmer Confirmer { get; } = new();

    public XmppDavAuthenticator Authenticator { get; }

    public List<Jid> Decided { get; } = [];

    public DavAccess Access { get; set; } = DavAccess.Allowed;

    public static DefaultHttpContext Request(string? authorization = null, string method = "GET", string path = "/dav/missive.html", string query = "")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Scheme = "https";
        context.Request.Host = new HostString(Host);
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    public static string Basic(string userid, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{userid}:{password}"));

    /// <summary>The RFC 7616 section 3.4 response for MD5 and qop=auth, computed here independently of the code under test.</summary>
    public static string DigestResponse(string username, string password, string method, string uri, string nonce, string nc, string cnonce)
    {
        var ha1 = Md5($"{username}:xmpp:{password}");
        var ha2 = Md5($"{method}:{uri}");
        return Md5($"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}");
    }

    public static string Digest(
        string username, string cnonce, Challenge challenge, string uri = "/dav/missive.html", string nc = "00000001", string method = "GET", string? password = null, string? response = null)
    {
        response ??= DigestResponse(username, password ?? cnonce, method, uri, challenge.Nonce, nc, cnonce);
        return $"Digest username=\"{username}\", realm=\"xmpp\", nonce=\"{challenge.Nonce}\", uri=\"{uri}\", qop=auth, nc={nc}, " +
            $"cnonce=\"{cnonce}\", response=\"{response}\", opaque=\"{challenge.Opaque}\", algorithm=MD5";
    }

    public async Task<(DavAuthentication Result, DefaultHttpContext Context)> SendAsync(DefaultHttpContext context, CancellationToken cancellationToken)
    {
        var result = await Authenticator.AuthenticateAsync(context, Decide, cancellationToken);
        return (result, context);
    }

    public Task<(DavAuthentication Result, DefaultHttpContext Context)> SendAsync(string? authorization, CancellationToken cancellationToken) =>
        SendAsync(Request(authorization), cancellationToken);

    /// <summary>Gets a Digest challenge the way a client does: by asking without credentials.</summary>
    public async Task<Challenge> ChallengeAsync(CancellationToken cancellationToken)
    {
        var (_, context) = await SendAsync(Request(), cancellationToken);
        return ReadChallenge(context);
    }

    public static Challenge ReadChallenge(HttpContext context)
    {
        var digest = context.Response.Headers.WWWAuthenticate.Single(h => h!.StartsWith("Digest ", StringComparison.Ordinal))!;
        var match = DigestChallengePattern().Match(digest);
        Assert.True(match.Success, digest);
        return new Challenge(match.Groups["nonce"].Value, match.Groups["opaque"].Value, match.Groups["stale"].Success);
    }

    public static string Body(HttpContext context)
    {
        var body = (MemoryStream)context.Response.Body;
        return Encoding.UTF8.GetString(body.ToArray());
    }

    private DavAccess Decide(Jid jid)
    {
        lock (Decided)
        {
            Decided.Add(jid);
        }

        return Access;
    }

    private static string Md5(string value)
    {
#pragma warning disable CA5351 // RFC 7616 Digest with algorithm=MD5 is what is under test.
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(value)));
#pragma warning restore CA5351
    }

    [GeneratedRegex("""^Digest realm="xmpp", qop="auth", algorithm=MD5, nonce="(?<nonce>[A-Za-z0-9_-]+)", opaque="(?<opaque>[0-9a-f]+)"(?<stale>, stale=true)?$""")]
    private static partial Regex DigestChallengePattern();

    public sealed record Challenge(string Nonce, string Opaque, bool Stale);
}
