using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Ports;
using XmppUpload.Http.Dav;
using XmppUpload.Http.Dav.Auth;
using XmppUpload.Testing;

namespace XmppUpload.Http.Tests.DavAuth;

/// <summary>The Digest nonce key is the deployment's shared secret, read once, at start when WebDAV is on.</summary>
public sealed class NonceKeyTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NonceKey_IsTheSharedSecret_SoAnotherAuthenticatorOfTheDeploymentAcceptsItsNonces()
    {
        var secrets = new MemorySharedSecretStore();
        var clock = new FakeTimeProvider();
        var issuer = new DavAuthHarness(clock: clock, secrets: secrets);
        var other = new DavAuthHarness(clock: clock, secrets: secrets);
        var challenge = await issuer.ChallengeAsync(Token);

        var (result, _) = await other.SendAsync(DavAuthHarness.Digest("juliet@capulet.com/balcony", "0a4f113b9c2d", challenge), Token);

        Assert.True(result.IsAuthenticated);
        Assert.Equal(challenge.Opaque, (await other.ChallengeAsync(Token)).Opaque);
    }

    [Fact]
    public async Task NonceKey_IsReadOnce_AndAfterAFailedReadTheNextRequestReadsItAgain()
    {
        var secrets = new FlakySecretStore { FailuresLeft = 1 };
        var harness = new DavAuthHarness(secrets: secrets);

        await Assert.ThrowsAsync<InvalidOperationException>(() => harness.SendAsync(DavAuthHarness.Request(), Token));
        var (_, context) = await harness.SendAsync(DavAuthHarness.Request(), Token);
        await harness.SendAsync(DavAuthHarness.Request(), Token);

        Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
        Assert.Equal(2, secrets.Reads);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public async Task Startup_ReadsTheKeyBeforeAnyRequest_OnlyWhenWebDavIsEnabled(bool enabled, int reads)
    {
        var secrets = new FlakySecretStore();
        var options = new WebDavOptions { Enabled = enabled };
        var authenticator = new XmppDavAuthenticator(
            new ScriptedConfirmer(), Options.Create(options), new FakeTimeProvider(), secrets,
            new MemoryHttpAuthStateStore(new FakeTimeProvider()), NullLogger<XmppDavAuthenticator>.Instance);
        var startup = new DavAuthenticationStartup(authenticator, Options.Create(options));

        await startup.StartingAsync(Token);

        Assert.Equal(reads, secrets.Reads);
    }

    /// <summary>A secret store that fails as an unreachable database would, <see cref="FailuresLeft"/> times.</summary>
    private sealed class FlakySecretStore : ISharedSecretStore
    {
        private readonly MemorySharedSecretStore _inner = new();
        private int _reads;

        public int FailuresLeft { get; set; }

        public int Reads => _reads;

        public Task<byte[]> GetOrCreateSecretAsync(string name, int length, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new InvalidOperationException("The ledger cannot be reached.");
            }

            return _inner.GetOrCreateSecretAsync(name, length, cancellationToken);
        }
    }
}
