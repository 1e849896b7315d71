using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Http.Dav;
using XmppUpload.Storage.Postgres;
using XmppUpload.Testing;

namespace XmppUpload.Http.Tests.DavAuth;

/// <summary>
/// Two nodes of a cluster behind a round-robin balancer: two authenticators, each with its own PostgreSQL ledger (its
/// own connection pool) on one real database, and its own confirmer. What one node issued, counted or was told holds
/// on the other: the Digest nonce key, the nonce counts, and the users' XEP-0070 answers.
/// </summary>
public sealed class PostgresClusterAuthTests(PostgresClusterAuthTests.ServerFixture server) : IClassFixture<PostgresClusterAuthTests.ServerFixture>, IAsyncLifetime
{
    private const string FullJid = "juliet@capulet.com/balcony";
    private const string TransactionId = "0a4f113b9c2d";

    private readonly FakeTimeProvider _clock = new();
    private readonly List<PostgresLedger> _ledgers = [];
    private string _database = string.Empty;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _database = await server.Server.CreateDatabaseAsync(Token);

    public async ValueTask DisposeAsync()
    {
        foreach (var ledger in _ledgers)
        {
            await ledger.DisposeAsync();
        }
    }

    [Fact]
    public async Task Challenges_OfEveryNode_CarryTheSameOpaque_AndANonceOfOneIsAcceptedByTheOther()
    {
        var (a, b) = Nodes();
        var challenge = await a.ChallengeAsync(Token);
        Assert.Equal(challenge.Opaque, (await b.ChallengeAsync(Token)).Opaque);

        var (result, context) = await b.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, challenge), Token);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal(Jid.Parse(FullJid), result.Jid);
    }

    [Fact]
    public async Task Digest_NonceCountUsedOnOneNode_IsAReplayOnTheOther_AndNobodyIsAskedAgain()
    {
        var (a, b) = Nodes();
        var challenge = await a.ChallengeAsync(Token);
        var header = DavAuthHarness.Digest(FullJid, TransactionId, challenge, nc: "00000001");
        var (first, _) = await a.SendAsync(header, Token);

        var (replayed, context) = await b.SendAsync(header, Token);

        Assert.True(first.IsAuthenticated);
        Assert.False(replayed.IsAuthenticated);
        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.Contains("nonce count was already used", DavAuthHarness.Body(context), StringComparison.Ordinal);
        Assert.Single(a.Confirmer.Calls);
        Assert.Empty(b.Confirmer.Calls);

        // The next count goes through on the other node, confirmed by the answer given through the first.
        var (next, _) = await b.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, challenge, nc: "00000002"), Token);
        Assert.True(next.IsAuthenticated);
        Assert.Empty(b.Confirmer.Calls);
    }

    [Fact]
    public async Task Confirmation_GivenThroughOneNode_LetsTheSamePairThroughTheOther_WithoutAskingAgain()
    {
        var (a, b) = Nodes();
        await a.SendAsync(DavAuthHarness.Basic(FullJid, TransactionId), Token);

        // The second node could not ask anyone (its component link is down): it does not need to.
        b.Confirmer.Outcome = ConfirmationOutcome.Unavailable;
        var (result, context) = await b.SendAsync(DavAuthHarness.Request(DavAuthHarness.Basic(FullJid, TransactionId), "PUT", "/dav/other.html"), Token);

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal(Jid.Parse(FullJid), result.Jid);
        Assert.Single(a.Confirmer.Calls);
        Assert.Empty(b.Confirmer.Calls);
    }

    [Fact]
    public async Task Denial_GivenThroughOneNode_IsRefusedByTheOther_WithoutAskingAgain()
    {
        var (a, b) = Nodes();
        a.Confirmer.Outcome = ConfirmationOutcome.Denied;
        await a.SendAsync(DavAuthHarness.Basic(FullJid, TransactionId), Token);

        var (result, context) = await b.SendAsync(DavAuthHarness.Basic(FullJid, TransactionId), Token);

        Assert.False(result.IsAuthenticated);
        Assert.Equal(StatusCodes.Status403Forbidden, context.Response.StatusCode);
        Assert.Contains("denied by", DavAuthHarness.Body(context), StringComparison.Ordinal);
        Assert.Empty(b.Confirmer.Calls);
    }

    [Fact]
    public async Task Confirmation_AfterTheCredentialLifetime_IsAskedForAgainOnTheOtherNode()
    {
        var (a, b) = Nodes(o => o.CredentialLifetime = TimeSpan.FromMinutes(10));
        await a.SendAsync(DavAuthHarness.Basic(FullJid, TransactionId), Token);
        _clock.Advance(TimeSpan.FromMinutes(10));

        var (result, _) = await b.SendAsync(DavAuthHarness.Basic(FullJid, TransactionId), Token);

        Assert.True(result.IsAuthenticated);
        Assert.Single(b.Confirmer.Calls);
    }

    [Fact]
    public async Task Restart_KeepsTheNonceKey_SoANonceIssuedBeforeIsStillAccepted()
    {
        var (before, _) = Nodes();
        var challenge = await before.ChallengeAsync(Token);

        var restarted = Node();
        var (result, _) = await restarted.SendAsync(DavAuthHarness.Digest(FullJid, TransactionId, challenge), Token);

        Assert.True(result.IsAuthenticated);
    }

    private (DavAuthHarness A, DavAuthHarness B) Nodes(Action<WebDavOptions>? configure = null) => (Node(configure), Node(configure));

    /// <summary>One node: a ledger of its own (a connection pool, as another process would have) on the shared database.</summary>
    private DavAuthHarness Node(Action<WebDavOptions>? configure = null)
    {
        var ledger = new PostgresLedger(
            Options.Create(new PostgresLedgerOptions { ConnectionString = _database, NodeId = $"node-{_ledgers.Count}" }),
            _clock,
            NullLogger<PostgresLedger>.Instance);
        _ledgers.Add(ledger);
        return new DavAuthHarness(configure, clock: _clock, secrets: ledger, state: new PostgresHttpAuthStateStore(ledger));
    }

    /// <summary>One PostgreSQL server for the class; each test takes a database of its own.</summary>
    public sealed class ServerFixture : IAsyncLifetime
    {
        private PostgresServer? _server;

        public PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL server has not started.");

        public async ValueTask InitializeAsync() => _server = await PostgresServer.StartAsync(TestContext.Current.CancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
    }
}
