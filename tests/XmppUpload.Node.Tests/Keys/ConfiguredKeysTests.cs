using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;
using XmppUpload.Node.Hosting;
using XmppUpload.Node.Tests.Support;
using XmppUpload.Storage.Sqlite;
using XmppUpload.Testing;

namespace XmppUpload.Node.Tests.Keys;

/// <summary>Nodes given <c>Tokens:SigningKeys</c>: they sign and verify with those keys and never touch the ledger's.</summary>
public sealed class ConfiguredKeysTests : IAsyncLifetime
{
    private static readonly string NewSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string OldSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    private readonly FakeTimeProvider _clock = new();
    private readonly TemporaryDirectory _directory = TemporaryDirectory.Create("node-configured-keys");
    private readonly List<KeyNode> _nodes = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DateTimeOffset Now => _clock.GetUtcNow();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task ConfiguredKeys_SignAndVerifyOnEveryNode_AndTheLedgersKeysAreNeverReadNorCreated()
    {
        var a = await StartAsync("a", activatesLater: null);
        var b = await StartAsync("b", activatesLater: null);

        Assert.IsType<ConfiguredSigningKeys>(a.Services.GetRequiredService<ISigningKeyProvider>());
        Assert.Equal(["k-2026-12", "k-2026-06"], a.Services.GetRequiredService<ISigningKeyProvider>().Keys.Select(k => k.Id));
        var token = a.Tokens.Issue("slot", "a.txt", 1, null, Now.AddMinutes(5));
        Assert.StartsWith("Bearer v1.k-2026-12.", token, StringComparison.Ordinal);
        Assert.Equal(TokenCheck.Valid, b.Tokens.Check(token, "slot", "a.txt", Now, out _));
        var signedByOld = new SlotTokens(() => [Configured("k-2026-06", OldSecret)], _clock).Issue("slot", "a.txt", 1, null, Now.AddMinutes(5));
        Assert.Equal(TokenCheck.Valid, b.Tokens.Check(signedByOld, "slot", "a.txt", Now, out _));

        // A token of an unknown key is refused without a look at the ledger.
        var slot = await CreateSlotAsync(b);
        var forger = new SlotTokens(() => [new SigningKey("forged01", RandomNumberGenerator.GetBytes(SigningKey.SecretLength), Now)], _clock);
        using (var response = await b.PutAsync(slot, "hello"u8.ToArray(), forger.Issue(slot.Id, slot.FileName, slot.Size, null, slot.PutDeadline)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        _clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(0, a.Store.Reads);
        Assert.Equal(0, b.Store.Reads);
        Assert.Empty(await a.Services.GetRequiredService<SqliteLedger>().GetKeysAsync(_clock, Ct));
    }

    [Fact]
    public async Task ConfiguredKeyWithActivatesAt_SignsFromThen_WhileTheNextListedSignsUntilThen_AndBothVerify()
    {
        var node = await StartAsync("a", activatesLater: TimeSpan.FromHours(1));

        var start = Now;
        var before = node.Tokens.Issue("slot", "a.txt", 1, null, Now.AddMinutes(5));
        _clock.Advance(TimeSpan.FromHours(1));
        var after = node.Tokens.Issue("slot", "a.txt", 1, null, Now.AddMinutes(5));

        Assert.StartsWith("Bearer v1.k-2026-06.", before, StringComparison.Ordinal);
        Assert.StartsWith("Bearer v1.k-2026-12.", after, StringComparison.Ordinal);
        Assert.Equal(TokenCheck.Valid, node.Tokens.Check(before, "slot", "a.txt", start, out _));
        Assert.Equal(TokenCheck.Valid, node.Tokens.Check(after, "slot", "a.txt", Now, out _));
    }

    private static SigningKey Configured(string id, string secret) => new(id, Convert.FromBase64String(secret), DateTimeOffset.MinValue);

    private async Task<KeyNode> StartAsync(string name, TimeSpan? activatesLater)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Storage:Path"] = _directory.Combine(name),
            ["Tokens:SigningKeys:0:Id"] = "k-2026-12",
            ["Tokens:SigningKeys:0:Secret"] = NewSecret,
            ["Tokens:SigningKeys:1:Id"] = "k-2026-06",
            ["Tokens:SigningKeys:1:Secret"] = OldSecret,
        };
        if (activatesLater is { } later)
        {
            configuration["Tokens:SigningKeys:0:ActivatesAt"] = (Now + later).ToString("O");
        }

        var node = await KeyNode.StartAsync(_directory.Path, configuration, _clock);
        _nodes.Add(node);
        return node;
    }

    private async Task<Slot> CreateSlotAsync(KeyNode node)
    {
        var slot = new Slot
        {
            Id = SlotIds.New(),
            Owner = "alice@example.org",
            FileName = "hello.txt",
            Size = 5,
            Purpose = Purpose.Message,
            CreatedAt = Now,
            PutDeadline = DateTimeOffset.FromUnixTimeSeconds(Now.AddMinutes(5).ToUnixTimeSeconds()),
        };
        await node.Ledger.CreateSlotAsync(slot, Ct);
        return slot;
    }
}
