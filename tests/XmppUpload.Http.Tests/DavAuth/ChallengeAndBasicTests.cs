using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Core.Ports;
using XmppUpload.Http.Dav;
using XmppUpload.Http.Dav.Auth;
using XmppUpload.Testing;

namespace XmppUpload.Http.Tests.DavAuth;

/// <summary>XEP-0070 sections 4.2 and 4.3.1: the challenge, Basic credentials, and what each confirmation outcome answers.</summary>
public sealed class ChallengeAndBasicTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Request_WithoutCredentials_IsChallengedForBasicAndDigestInRealmXmpp()
    {
        var harness = new DavAuthHarness();

        var (result, context) = await harness.SendAsync(authorization: null, Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        var challenges = context.Response.Headers.WWWAuthenticate.ToArray();
        Assert.Equal(2, challenges.Length);
        Assert.Equal("Basic realm=\"xmpp\", charset=\"UTF-8\"", challenges[0]);
        var digest = DavAuthHarness.ReadChallenge(context);
        Assert.False(digest.Stale);
        Assert.Equal($"Digest realm=\"xmpp\", qop=\"auth\", algorithm=MD5, nonce=\"{digest.Nonce}\", opaque=\"{digest.Opaque}\"", challenges[1]);
        Assert.Contains("JID", DavAuthHarness.Body(context), StringComparison.Ordinal);
        Assert.Contains("transaction id", DavAuthHarness.Body(context), StringComparison.Ordinal);
        Assert.StartsWith("text/plain", context.Response.ContentType, StringComparison.Ordinal);
        Assert.Empty(harness.Decided);
        Assert.Empty(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task Challenges_CarryAFreshNonceEachTime()
    {
        var harness = new DavAuthHarness();

        var first = await harness.ChallengeAsync(Token);
        var second = await harness.ChallengeAsync(Token);

        Assert.NotEqual(first.Nonce, second.Nonce);
        Assert.Equal(first.Opaque, second.Opaque);
    }

    [Theory]
    [InlineData("Bearer abc")]
    [InlineData("Negotiate YIIB")]
    [InlineData("Basic")]
    public async Task Request_WithUnsupportedScheme_IsChallengedAndNobodyIsPrompted(string authorization)
    {
        var harness = new DavAuthHarness();

        var (result, context) = await harness.SendAsync(authorization, Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.Equal(2, context.Response.Headers.WWWAuthenticate.Count);
        Assert.Empty(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task Basic_Confirmed_ReturnsTheFullJidAndPromptsWithMethodUrlAndTransactionId()
    {
        var harness = new DavAuthHarness(o => o.ConfirmTimeout = TimeSpan.FromSeconds(42));
        var context = DavAuthHarness.Request(DavAuthHarness.Basic("Juliet@Capulet.com/balcony", "a7374jnjlalasdf82"), "PUT", "/dav/missive.html", "?v=1");

        var (result, _) = await harness.SendAsync(context, Token);

        Assert.Equal(Jid.Parse("juliet@capulet.com/balcony"), result.Jid);
        Assert.Equal([Jid.Parse("juliet@capulet.com/balcony")], harness.Decided);
        var call = Assert.Single(harness.Confirmer.Calls);
        Assert.Equal(Jid.Parse("juliet@capulet.com/balcony"), call.Jid);
        Assert.False(call.Jid.IsBare);
        Assert.Equal("a7374jnjlalasdf82", call.TransactionId);
        Assert.Equal("PUT", call.Method);
        Assert.Equal(new Uri("https://files.example.org/dav/missive.html?v=1"), call.Url);
        Assert.Equal(TimeSpan.FromSeconds(42), call.Timeout);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal(0, context.Response.Headers.WWWAuthenticate.Count);
    }

    [Fact]
    public async Task Basic_WithBareJid_PromptsTheBareJid()
    {
        var harness = new DavAuthHarness();

        var (result, _) = await harness.SendAsync(DavAuthHarness.Basic("juliet@capulet.com", "a7374jnjlalasdf82"), Token);

        Assert.Equal(Jid.Parse("juliet@capulet.com"), result.Jid);
        Assert.True(Assert.Single(harness.Confirmer.Calls).Jid.IsBare);
    }

    [Fact]
    public async Task Basic_Denied_IsForbiddenNamingTheJid()
    {
        var harness = new DavAuthHarness();
        harness.Confirmer.Outcome = ConfirmationOutcome.Denied;

        var (result, context) = await harness.SendAsync(DavAuthHarness.Basic("juliet@capulet.com/balcony", "a7374jnjlalasdf82"), Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
        Assert.Contains("denied by juliet@capulet.com/balcony", DavAuthHarness.Body(context), StringComparison.Ordinal);
        Assert.Equal(0, context.Response.Headers.WWWAuthenticate.Count);
    }

    [Fact]
    public async Task Basic_WithNoAnswer_IsChallengedAgainSayingNoConfirmationArrived()
    {
        var harness = new DavAuthHarness();
        harness.Confirmer.Outcome = ConfirmationOutcome.NoAnswer;

        var (result, context) = await harness.SendAsync(DavAuthHarness.Basic("juliet@capulet.com/balcony", "a7374jnjlalasdf82"), Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.Equal(2, context.Response.Headers.WWWAuthenticate.Count);
        Assert.Contains("No confirmation arrived", DavAuthHarness.Body(context), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Basic_WhenConfirmationCannotBeSent_IsServiceUnavailableWithRetryAfter()
    {
        var harness = new DavAuthHarness();
        harness.Confirmer.Outcome = ConfirmationOutcome.Unavailable;

        var (result, context) = await harness.SendAsync(DavAuthHarness.Basic("juliet@capulet.com/balcony", "a7374jnjlalasdf82"), Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("30", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal(0, context.Response.Headers.WWWAuthenticate.Count);
    }

    [Fact]
    public async Task Basic_WhenTheConfirmerThrows_IsServiceUnavailable()
    {
        var harness = new DavAuthHarness();
        harness.Confirmer.Failure = new InvalidOperationException("link down");

        var (_, context) = await harness.SendAsync(DavAuthHarness.Basic("juliet@capulet.com/balcony", "a7374jnjlalasdf82"), Token);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
    }

    [Fact]
    public async Task Basic_WithPercentEncodedJidAndTransactionId_IsDecodedPerXep0070()
    {
        var harness = new DavAuthHarness();

        var (result, _) = await harness.SendAsync(DavAuthHarness.Basic("juliet%40capulet.com/balc%C3%B3ny%3A2", "%E2%9C%93-a7374jnj"), Token);

        Assert.Equal("juliet@capulet.com/balcóny:2", result.Jid!.ToString());
        Assert.Equal("✓-a7374jnj", Assert.Single(harness.Confirmer.Calls).TransactionId);
    }

    [Fact]
    public async Task Basic_WithRawUtf8Jid_IsAcceptedAsRfc7617Charset()
    {
        var harness = new DavAuthHarness();

        var (result, _) = await harness.SendAsync(DavAuthHarness.Basic("jüliet@capulet.com", "a7374jnjlalasdf82"), Token);

        Assert.Equal("jüliet@capulet.com", result.Jid!.ToString());
    }

    [Theory]
    [InlineData("@capulet.com", "is not a JID")]
    [InlineData("juliet@capulet.com/", "is not a JID")]
    [InlineData("juliet%FF@capulet.com", "is not a JID")]
    [InlineData("", "is not a JID")]
    public async Task Basic_WithInvalidJid_IsChallengedSayingWhyAndNobodyIsPrompted(string userid, string reason)
    {
        var harness = new DavAuthHarness();

        var (result, context) = await harness.SendAsync(DavAuthHarness.Basic(userid, "a7374jnjlalasdf82"), Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.Equal(2, context.Response.Headers.WWWAuthenticate.Count);
        Assert.Contains(reason, DavAuthHarness.Body(context), StringComparison.Ordinal);
        Assert.Empty(harness.Decided);
        Assert.Empty(harness.Confirmer.Calls);
    }

    [Theory]
    [InlineData("Basic !!!notbase64")]
    [InlineData("Basic anVsaWV0QGNhcHVsZXQuY29t")]
    public async Task Basic_WithMalformedCredentials_IsChallengedAndNobodyIsPrompted(string authorization)
    {
        var harness = new DavAuthHarness();

        var (_, context) = await harness.SendAsync(authorization, Token);

        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.Empty(harness.Confirmer.Calls);
    }

    [Theory]
    [InlineData("")]
    [InlineData("tx\u0001id")]
    public async Task Basic_WithoutUsableTransactionId_IsChallengedSayingSo(string transactionId)
    {
        var harness = new DavAuthHarness();

        var (_, context) = await harness.SendAsync(DavAuthHarness.Basic("juliet@capulet.com", transactionId), Token);

        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.Contains("transaction id", DavAuthHarness.Body(context), StringComparison.Ordinal);
        Assert.Empty(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task Forbidden_Is403AndNobodyIsPrompted()
    {
        var harness = new DavAuthHarness { Access = DavAccess.Forbidden };

        var (result, context) = await harness.SendAsync(DavAuthHarness.Basic("romeo@montague.net/orchard", "a7374jnjlalasdf82"), Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
        Assert.Equal([Jid.Parse("romeo@montague.net/orchard")], harness.Decided);
        Assert.Contains("romeo@montague.net/orchard", DavAuthHarness.Body(context), StringComparison.Ordinal);
        Assert.Empty(harness.Confirmer.Calls);
    }

    [Fact]
    public async Task Logs_NeverHoldTheTransactionId()
    {
        var logger = new ListLogger();
        var harness = new DavAuthHarness(logger: logger);

        await harness.SendAsync(DavAuthHarness.Basic("juliet@capulet.com/balcony", "a7374jnjlalasdf82"), Token);
        await harness.SendAsync(DavAuthHarness.Basic("juliet@capulet.com/balcony", "a7374jnjlalasdf82"), Token);

        Assert.NotEmpty(logger.Messages);
        Assert.DoesNotContain(logger.Messages, m => m.Contains("a7374jnj", StringComparison.Ordinal));
    }

    [Fact]
    public void AddDavAuthentication_RegistersOneAuthenticatorForTheProcess_WithInMemoryStateUnlessTheHostSharesOne()
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IHttpAuthConfirmer, ScriptedConfirmer>()
            .AddSingleton<ISharedSecretStore, MemorySharedSecretStore>()
            .AddSingleton<TimeProvider>(new FakeTimeProvider())
            .AddDavAuthentication();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var first = provider.GetRequiredService<IDavAuthenticator>();

        Assert.IsType<XmppDavAuthenticator>(first);
        Assert.Same(first, provider.GetRequiredService<IDavAuthenticator>());
        Assert.IsType<MemoryHttpAuthStateStore>(provider.GetRequiredService<IHttpAuthStateStore>());
    }

    [Fact]
    public void AddDavAuthentication_KeepsAStateStoreTheHostRegisteredFirst()
    {
        var shared = new MemoryHttpAuthStateStore(new FakeTimeProvider());
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IHttpAuthConfirmer, ScriptedConfirmer>()
            .AddSingleton<ISharedSecretStore, MemorySharedSecretStore>()
            .AddSingleton<IHttpAuthStateStore>(shared)
            .AddDavAuthentication();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.Same(shared, provider.GetRequiredService<IHttpAuthStateStore>());
    }

    private sealed class ListLogger : ILogger<XmppDavAuthenticator>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => NullLogger.Instance.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages)
            {
                Messages.Add(formatter(state, exception));
            }
        }
    }
}
