using System.Net;
using System.Security.Cryptography;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;
using XmppUpload.Node.Configuration;
using XmppUpload.Node.Tests.Support;
using XmppUpload.Testing;

namespace XmppUpload.Node.Tests.Keys;

/// <summary>
/// Two nodes on one ledger, each started with the node's own registrations and reloading its keys on the shared fake
/// clock, run against SQLite (<see cref="SqliteKeyRotationAcrossNodesTests"/>) and PostgreSQL
/// (<see cref="PostgresKeyRotationAcrossNodesTests"/>). They show that a rotated key never signs a token that a node
/// without it receives: it signs only after the activation delay, by which time every node has reloaded.
/// </summary>
public abstract class KeyRotationAcrossNodesContract : IAsyncLifetime
{
    // Event ids of SigningKeyRing's log lines.
    private const int UnknownKeyReload = 4023;
    private const int Reloaded = 4026;

    private static readonly TimeSpan ReloadInterval = TokensOptions.DefaultKeyReloadInterval;

    private static readonly KeyRotationPolicy Policy = KeyRotationPolicy.ForReloadInterval(ReloadInterval, new UploadOptions().SlotLifetime);

    private KeyNode? _a;
    private KeyNode? _b;

    protected FakeTimeProvider Clock { get; } = new();

    protected TemporaryDirectory Directory { get; } = TemporaryDirectory.Create("node-keys");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The node that loads a rotated key first.</summary>
    private protected KeyNode A => _a ?? throw new InvalidOperationException("InitializeAsync has not run.");

    /// <summary>The node that has not reloaded yet.</summary>
    private protected KeyNode B => _b ?? throw new InvalidOperationException("InitializeAsync has not run.");

    private DateTimeOffset Now => Clock.GetUtcNow();

    public async ValueTask InitializeAsync()
    {
        await PrepareLedgerAsync();
        _a = await KeyNode.StartAsync(Directory.Path, NodeConfiguration("a"), Clock);
        _b = await KeyNode.StartAsync(Directory.Path, NodeConfiguration("b"), Clock);
        // Each node's periodic reload is a background service whose timer starts when the host gets to it, which on a
        // busy machine can be after the test has moved the clock: wait until both wait for their first tick.
        await Clock.WaitForTimerAsync(Now + ReloadInterval, count: 2).WaitAsync(TimeSpan.FromSeconds(30), Ct);
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_a is not null)
        {
            await _a.DisposeAsync();
        }

        if (_b is not null)
        {
            await _b.DisposeAsync();
        }

        Directory.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Creates what the nodes share (a database), before they start.</summary>
    protected abstract ValueTask PrepareLedgerAsync();

    /// <summary>The configuration of node <paramref name="name"/>: the shared ledger, its own name and data.</summary>
    protected abstract IReadOnlyDictionary<string, string?> NodeConfiguration(string name);

    [Fact]
    public async Task RotatedKey_SignsOnlyOnceEveryNodeHasReloaded_SoNoNodeEverReceivesATokenOfAKeyItLacks()
    {
        var old = Assert.Single(A.Ring.Keys);
        Assert.Equal([old.Id], B.Ring.Keys.Select(k => k.Id));
        var rotatedAt = Now;
        var rotation = await A.Store.RotateKeysAsync(Clock, Policy, Ct);
        Assert.Equal(rotatedAt + (2 * ReloadInterval), rotation.Key.ActivatesAt);

        // A has loaded the new key; B has not reloaded, and will not before its next tick, one interval on.
        Assert.True(await A.Ring.ReloadAsync(Ct));
        Assert.Equal([rotation.Key.Id, old.Id], A.Ring.Keys.Select(k => k.Id));

        // However A's tokens are timed until B's reload, A signs them with the old key, which B holds.
        foreach (var at in new[] { rotatedAt, rotatedAt + ReloadInterval - TimeSpan.FromMilliseconds(1) })
        {
            Clock.SetUtcNow(at);
            var token = A.Tokens.Issue("slot", "photo.jpg", 10, null, Now.AddMinutes(5));
            Assert.StartsWith($"Bearer v1.{old.Id}.", token, StringComparison.Ordinal);
            Assert.Equal([old.Id], B.Ring.Keys.Select(k => k.Id));
            Assert.Equal(TokenCheck.Valid, B.Tokens.Check(token, "slot", "photo.jpg", Now, out _));
        }

        // B's periodic reload, one interval after the rotation, loads the new key a whole interval before it signs.
        await MoveClockToTickAsync(rotatedAt + ReloadInterval);
        Assert.Equal([rotation.Key.Id, old.Id], B.Ring.Keys.Select(k => k.Id));
        Assert.True(Now < rotation.Key.ActivatesAt);

        // From its activation A signs with the new key, and B verifies it without having to look for it.
        await MoveClockToTickAsync(rotation.Key.ActivatesAt);
        var fresh = A.Tokens.Issue("slot", "photo.jpg", 10, null, Now.AddMinutes(5));
        Assert.StartsWith($"Bearer v1.{rotation.Key.Id}.", fresh, StringComparison.Ordinal);
        Assert.Equal(TokenCheck.Valid, (await B.Tokens.CheckAsync(fresh, "slot", "photo.jpg", Now, Ct)).Check);
        Assert.Equal(0, B.Logs.Count(UnknownKeyReload));

        // What the delay rules out: a node that had not reloaded would refuse the new key's tokens.
        var stale = new SlotTokens(() => [old], Clock);
        Assert.Equal(TokenCheck.Invalid, stale.Check(fresh, "slot", "photo.jpg", Now, out _));
    }

    [Fact]
    public async Task OldKey_VerifiesUntilItsLastTokenHasExpired_ThenLeavesEveryNode()
    {
        var old = Assert.Single(A.Ring.Keys);
        var rotation = await A.Store.RotateKeysAsync(Clock, Policy, Ct);
        await MoveClockToTickAsync(Now + ReloadInterval);
        Clock.SetUtcNow(rotation.Key.ActivatesAt - TimeSpan.FromSeconds(1));
        var last = A.Tokens.Issue("slot", "photo.jpg", 10, null, Now + new UploadOptions().SlotLifetime);
        Assert.StartsWith($"Bearer v1.{old.Id}.", last, StringComparison.Ordinal);

        var retiresAt = rotation.Replaced!.RetiresAt!.Value;
        await MoveClockToTickAsync(retiresAt - TimeSpan.FromSeconds(2));
        Assert.Equal([rotation.Key.Id, old.Id], B.Ring.Keys.Select(k => k.Id));
        Assert.Equal(TokenCheck.Valid, B.Tokens.Check(last, "slot", "photo.jpg", Now, out _));

        // At the retirement the key verifies nothing more, and the reload at that tick drops it from every ring and
        // from the ledger.
        await MoveClockToTickAsync(retiresAt);
        Assert.Equal(TokenCheck.Invalid, B.Tokens.Check(last, "slot", "photo.jpg", Now, out _));
        Assert.Equal([rotation.Key.Id], A.Ring.Keys.Select(k => k.Id));
        Assert.Equal([rotation.Key.Id], B.Ring.Keys.Select(k => k.Id));
        Assert.Equal([rotation.Key.Id], (await A.Store.GetKeysAsync(Clock, Ct)).Select(k => k.Id));
    }

    [Fact]
    public async Task PutWithAKeyTheNodeLacks_ReloadsOnce_ThenFloodsOfUnknownKeyIdsReadTheLedgerAtMostOncePerSpacing()
    {
        // A node whose clock runs ahead by more than the activation delay signs with a key B has not loaded yet.
        var rotation = await A.Store.RotateKeysAsync(Clock, Policy, Ct);
        await A.Ring.ReloadAsync(Ct);
        var ahead = new SlotTokens(A.Ring, new FakeTimeProvider(rotation.Key.ActivatesAt));
        var slot = await CreateSlotAsync();
        var reads = B.Store.Reads;

        using (var response = await B.PutAsync(slot, "hello"u8.ToArray(), ahead.Issue(slot.Id, slot.FileName, slot.Size, null, slot.PutDeadline)))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        Assert.Equal(reads + 1, B.Store.Reads);
        Assert.Contains(rotation.Key.Id, B.Ring.Keys.Select(k => k.Id));

        // Made-up key ids, all at once: none is found, and within the spacing the ledger is not read again.
        var target = await CreateSlotAsync();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => ForgedPutAsync(target, $"forged{i:00}")));
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Forbidden, status));
        Assert.Equal(reads + 1, B.Store.Reads);

        // After the spacing one more made-up id reads the ledger once more, and the next one does not.
        Clock.Advance(SigningKeyRingSpacing);
        Assert.Equal(HttpStatusCode.Forbidden, await ForgedPutAsync(target, "forgedxx"));
        Assert.Equal(HttpStatusCode.Forbidden, await ForgedPutAsync(target, "forgedyy"));
        Assert.Equal(reads + 2, B.Store.Reads);
        Assert.Equal(SlotState.Pending, (await B.Ledger.FindSlotAsync(target.Id, Ct))!.State);
    }

    /// <summary>
    /// Moves the clock to <paramref name="to"/>, which passes one of the nodes' reload ticks (a fake timer fires once per
    /// move), and waits until both nodes have finished that reload.
    /// </summary>
    private async Task MoveClockToTickAsync(DateTimeOffset to)
    {
        var a = A.Logs.Count(Reloaded);
        var b = B.Logs.Count(Reloaded);
        Clock.SetUtcNow(to);
        await A.Logs.WaitForCountAsync(Reloaded, a + 1);
        await B.Logs.WaitForCountAsync(Reloaded, b + 1);
    }

    private static TimeSpan SigningKeyRingSpacing => Hosting.SigningKeyRing.UnknownKeyReloadSpacing;

    private async Task<HttpStatusCode> ForgedPutAsync(Slot slot, string keyId)
    {
        var forger = new SlotTokens(() => [new SigningKey(keyId, RandomNumberGenerator.GetBytes(SigningKey.SecretLength), Now)], Clock);
        using var response = await B.PutAsync(slot, "hello"u8.ToArray(), forger.Issue(slot.Id, slot.FileName, slot.Size, null, slot.PutDeadline));
        return response.StatusCode;
    }

    private async Task<Slot> CreateSlotAsync()
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
            ExpiresAt = Now.AddDays(30),
        };
        await A.Ledger.CreateSlotAsync(slot, Ct);
        return slot;
    }
}
