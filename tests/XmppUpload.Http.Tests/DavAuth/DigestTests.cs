using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using XmppUpload.Core.Addressing;

namespace XmppUpload.Http.Tests.DavAuth;

/// <summary>XEP-0070 section 4.3.2: Digest (RFC 7616, MD5, qop=auth) with username = JID and cnonce = transaction id.</summary>
public sealed class DigestTests
{
    private const string FullJid = "juliet@capulet.com/balcony";
    private const string TransactionId = "0a4f113b9c2d";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Digest_ComputedPerRfc7616WithTheTransactionIdAsPassword_IsConfirmed()
    {
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);

        var (result, context) = await harness.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, challenge), Token);

        Assert.Equal(Jid.Parse(FullJid), result.Jid);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        var call = Assert.Single(harness.Confirmer.Calls);
        Assert.Equal(TransactionId, call.TransactionId);
        Assert.Equal(new Uri("https://files.example.org/dav/missive.html"), call.Url);
    }

    [Fact]
    public async Task Digest_ComputedWithAnEmptyPassword_IsConfirmed()
    {
        // XEP-0070 section 4.3.2 lists the checksum's inputs without any password; a client may read it that way.
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);

        var (result, _) = await harness.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, challenge, password: string.Empty), Token);

        Assert.True(result.IsAuthenticated);
    }

    [Fact]
    public async Task Digest_WithPercentEncodedUsername_HashesTheEncodedFormAndPromptsTheDecodedJid()
    {
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);

        var (result, _) = await harness.SendAsync(DavAuthHarness.Digest("j%C3%BCliet%40capulet.com/balcony", "tx-%E2%9C%93-0a4f113b", challenge), Token);

        Assert.Equal("jüliet@capulet.com/balcony", result.Jid!.ToString());
        Assert.Equal("tx-✓-0a4f113b", Assert.Single(harness.Confirmer.Calls).TransactionId);
    }

    [Fact]
    public async Task Digest_WithAbsoluteUri_IsConfirmed()
    {
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);

        var (result, _) = await harness.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, challenge, uri: "https://files.example.org/dav/missive.html"), Token);

        Assert.True(result.IsAuthenticated);
    }

    [Fact]
    public async Task Digest_WithUriMatchingTheRawRequestTarget_IsConfirmed()
    {
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);
        const string Target = "/dav/caf%C3%A9.txt?x=1";
        var context = DavAuthHarness.Request(DavAuthHarness.Digest(FullJid, TransactionId, challenge, uri: Target), path: "/dav/café.txt", query: "?x=1");
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = Target;

        var (result, _) = await harness.SendAsync(context, Token);

        Assert.True(result.IsAuthenticated);
    }

    [Fact]
    public async Task Digest_HashedWithAnyPassword_IsConfirmedByItsCnonce()
    {
        // A generic Digest client hashes whatever the user typed; XEP-0070 section 4.1 makes the cnonce the
        // transaction id, and that is what the user confirms over XMPP.
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);

        var (result, _) = await harness.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, challenge, password: "whatever-was-typed"), Token);

        Assert.True(result.IsAuthenticated);
        var call = Assert.Single(harness.Confirmer.Calls);
        Assert.Equal(TransactionId, call.TransactionId);
    }

    [Theory]
    [InlineData("not-a-checksum")]
    [InlineData("0123456789abcdef0123456789abcdeZ")]
    [InlineData("0123456789abcdef0123456789abcde")]
    public async Task Digest_WithMalformedResponse_IsChallengedAndNobodyIsPrompted(string response)
    {
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);

        var (result, context) = await harness.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, challenge, response: response), Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.False(DavAuthHarness.ReadChallenge(context).Stale);
        Assert.Contains("not an MD5 checksum", DavAuthHarness.Body(context), StringComparison.Ordinal);
        Assert.Empty(harness.Decided);
        Assert.Empty(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task Digest_PromptNamesTheMethodOfTheRequestItself()
    {
        // Nothing secret is hashed (see Digest_HashedWithAnyPassword_IsConfirmedByItsCnonce), so the user is shown
        // the method and URL of the request actually made, never what the header claims.
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);
        var context = DavAuthHarness.Request(DavAuthHarness.Digest(FullJid, TransactionId, challenge, method: "GET"), method: "DELETE");

        await harness.SendAsync(context, Token);

        Assert.Equal("DELETE", Assert.Single(harness.Confirmer.Calls).Method);
    }

    [Fact]
    public async Task Digest_WithForgedNonce_IsChallengedAndNobodyIsPrompted()
    {
        var harness = new DavAuthHarness();
        var real = await harness.ChallengeAsync(Token);
        var forged = real with { Nonce = string.Concat(real.Nonce.AsSpan(0, real.Nonce.Length - 2), real.Nonce.EndsWith("AA", StringComparison.Ordinal) ? "BB" : "AA") };

        var (result, context) = await harness.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, forged), Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.False(DavAuthHarness.ReadChallenge(context).Stale);
        Assert.Contains("not issued by this server", DavAuthHarness.Body(context), StringComparison.Ordinal);
        Assert.Empty(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task Digest_WithNonceOfAnotherDeployment_IsChallengedNotStale()
    {
        // Another deployment has another nonce key (the nodes of one cluster share theirs; see PostgresClusterAuthTests).
        var other = new DavAuthHarness();
        var harness = new DavAuthHarness();
        var foreign = await other.ChallengeAsync(Token);

        var (_, context) = await harness.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, foreign), Token);

        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.False(DavAuthHarness.ReadChallenge(context).Stale);
        Assert.Empty(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task Digest_WithStaleNonce_IsChallengedWithStaleTrueAndNobodyIsPrompted()
    {
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);
        harness.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        var (result, context) = await harness.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, challenge), Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        var renewed = DavAuthHarness.ReadChallenge(context);
        Assert.True(renewed.Stale);
        Assert.NotEqual(challenge.Nonce, renewed.Nonce);
        Assert.Empty(harness.Confirmer.Calls);

        // The client retries with the new nonce without asking its user again.
        var (retried, _) = await harness.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, renewed), Token);
        Assert.True(retried.IsAuthenticated);
    }

    [Fact]
    public async Task Digest_WithStaleNonceAndMalformedResponse_IsNotStale()
    {
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);
        harness.Clock.Advance(TimeSpan.FromMinutes(6));

        var (_, context) = await harness.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, challenge, response: "stale-and-malformed"), Token);

        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.False(DavAuthHarness.ReadChallenge(context).Stale);
    }

    [Fact]
    public async Task Digest_WithReplayedNonceCount_IsChallengedAndNobodyIsPromptedAgain()
    {
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);
        var header = DavAuthHarness.Digest(FullJid, TransactionId, challenge, nc: "00000001");
        var (first, _) = await harness.SendAsync(header, Token);

        var (replayed, context) = await harness.SendAsync(header, Token);

        Assert.True(first.IsAuthenticated);
        Assert.False(replayed.IsAuthenticated);
        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.Contains("nonce count was already used", DavAuthHarness.Body(context), StringComparison.Ordinal);
        Assert.Single(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task Digest_WithNextNonceCount_ReusesTheConfirmation()
    {
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);
        await harness.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, challenge, nc: "00000001"), Token);

        var (second, _) = await harness.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, challenge, nc: "00000002"), Token);

        Assert.True(second.IsAuthenticated);
        Assert.Single(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task Digest_WithUriOfAnotherResource_IsBadRequestAndNobodyIsPrompted()
    {
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);

        var (result, context) = await harness.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, challenge, uri: "/dav/other.html"), Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
        Assert.Contains("uri does not match", DavAuthHarness.Body(context), StringComparison.Ordinal);
        Assert.Empty(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task Digest_WithAbsoluteUriOfAnotherHost_IsBadRequest()
    {
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);

        var (_, context) = await harness.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, challenge, uri: "https://evil.example/dav/missive.html"), Token);

        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
    }

    [Theory]
    [InlineData("realm=\"xmpp\"", "realm=\"other\"")]
    [InlineData("qop=auth,", "qop=auth-int,")]
    [InlineData("algorithm=MD5", "algorithm=SHA-256")]
    [InlineData("nc=00000001", "nc=1")]
    [InlineData("cnonce=\"0a4f113b9c2d\", ", "")]
    public async Task Digest_WithUnsupportedOrMissingParameter_IsChallengedAndNobodyIsPrompted(string replace, string with)
    {
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);
        var header = DavAuthHarness.Digest(FullJid, TransactionId, challenge).Replace(replace, with, StringComparison.Ordinal);

        var (_, context) = await harness.SendAsync(header, Token);

        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.Empty(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task Digest_WithWrongOpaque_IsChallenged()
    {
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);

        var (_, context) = await harness.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, challenge with { Opaque = "00" }), Token);

        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.Empty(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task Digest_WithInvalidJidAsUsername_IsChallengedSayingWhy()
    {
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);

        var (_, context) = await harness.SendAsync(DavAuthHarness.Digest("juliet@", TransactionId, challenge), Token);

        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.Contains("is not a JID", DavAuthHarness.Body(context), StringComparison.Ordinal);
        Assert.Empty(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task Digest_WithUppercaseHexAndFoldedLayout_IsConfirmed()
    {
        // The layout of the XEP-0070 example (one parameter per line, tabs) and upper-case hex, which RFC 7616 clients may send.
        var harness = new DavAuthHarness();
        var challenge = await harness.ChallengeAsync(Token);
        var response = DavAuthHarness.DigestResponse("juliet@capulet.com", "0a4f113b", "GET", "/dav/missive.html", challenge.Nonce, "00000001", "0a4f113b");
        var header = $"Digest username=\"juliet@capulet.com\",\r\n realm=\"xmpp\",\t nonce=\"{challenge.Nonce}\", uri=\"/dav/missive.html\", " +
            $"qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"{response.ToUpperInvariant()}\", opaque=\"{challenge.Opaque}\"";

        var (result, _) = await harness.SendAsync(header.Replace("\r\n", string.Empty, StringComparison.Ordinal), Token);

        Assert.Equal(Jid.Parse("juliet@capulet.com"), result.Jid);
    }
}
