using System.Text.Json;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Tokens;
using XmppUpload.Node.Admin;
using XmppUpload.Node.Tests.Support;
using XmppUpload.Testing;

namespace XmppUpload.Node.Tests.Keys;

/// <summary>
/// <c>keys list</c> and <c>keys rotate</c> of the real node executable, run as a child process on the system clock,
/// against the SQLite ledger (<see cref="SqliteKeysVerbTests"/>) and PostgreSQL (<see cref="PostgresKeysVerbTests"/>).
/// </summary>
public abstract class KeysVerbContract : IAsyncLifetime
{
    private static readonly KeyRotationPolicy Policy = new(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5));

    private static readonly string[] ConfiguredKeys =
    [
        "--Tokens:SigningKeys:0:Id=k-2026-12",
        "--Tokens:SigningKeys:0:Secret=" + Convert.ToBase64String(new byte[32]),
        "--Tokens:SigningKeys:0:ActivatesAt=2026-12-01T00:00:00Z",
        "--Tokens:SigningKeys:1:Id=k-2026-06",
        "--Tokens:SigningKeys:1:Secret=" + Convert.ToBase64String(new byte[40]),
    ];

    protected TemporaryDirectory Directory { get; } = TemporaryDirectory.Create("node-keys-verb");

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected static TimeProvider System => TimeProvider.System;

    public abstract ValueTask InitializeAsync();

    public virtual ValueTask DisposeAsync()
    {
        Directory.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>A store on the ledger the verbs are pointed at, for seeding and for checking what they did.</summary>
    protected abstract ISigningKeyStore Store { get; }

    /// <summary>The configuration that points a verb at that ledger (beside <c>--Storage:Path</c>).</summary>
    protected abstract string[] LedgerArguments { get; }

    [Fact]
    public async Task List_ShowsEveryKeyWithItsTimesAndWhichOneSigns_NeverASecret()
    {
        var old = Assert.Single(await Store.GetOrCreateKeysAsync(System, Ct));
        var rotation = await Store.RotateKeysAsync(System, Policy, Ct);

        var run = await RunAsync("keys", "list");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("Signing keys in the ledger at ", run.StandardOutput, StringComparison.Ordinal);
        var rows = TableRows(run.StandardOutput, "ID");
        Assert.Equal(["ID", "CREATED", "ACTIVATES", "RETIRES", "SIGNS"], rows["ID"]);
        var added = rotation.Key;
        Assert.Equal([added.Id, AdminText.Instant(added.CreatedAt), AdminText.Instant(added.ActivatesAt), "never", "later"], rows[added.Id]);
        Assert.Equal([old.Id, AdminText.Instant(old.CreatedAt), AdminText.Instant(old.ActivatesAt), AdminText.Instant(rotation.Replaced!.RetiresAt), "yes"], rows[old.Id]);
        Assert.True(run.StandardOutput.IndexOf(added.Id, StringComparison.Ordinal) < run.StandardOutput.IndexOf(old.Id, StringComparison.Ordinal));
        foreach (var key in new[] { old, added })
        {
            Assert.DoesNotContain(Convert.ToBase64String(key.Secret), run.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexString(key.Secret), run.ToString(), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task List_WithJson_ReportsEachKeyWithStableNames()
    {
        var old = Assert.Single(await Store.GetOrCreateKeysAsync(System, Ct));
        var rotation = await Store.RotateKeysAsync(System, Policy, Ct);

        var run = await RunAsync("keys", "list", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.StandardOutput);
        var root = json.RootElement;
        Assert.Equal(["source", "at", "keys"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ledger", root.GetProperty("source").GetString());
        var keys = root.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal([rotation.Key.Id, old.Id], keys.Select(k => k.GetProperty("id").GetString()));
        Assert.Equal(["id", "createdAt", "activatesAt", "retiresAt", "signing"], keys[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(rotation.Key.ActivatesAt, keys[0].GetProperty("activatesAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, keys[0].GetProperty("retiresAt").ValueKind);
        Assert.False(keys[0].GetProperty("signing").GetBoolean());
        Assert.Equal(old.CreatedAt, keys[1].GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(rotation.Replaced!.RetiresAt, keys[1].GetProperty("retiresAt").GetDateTimeOffset());
        Assert.True(keys[1].GetProperty("signing").GetBoolean());
    }

    [Fact]
    public async Task Rotate_AddsAKeyThatSignsAfterTwoReloadIntervals_AndRetiresTheOldOneASlotLifetimeLater()
    {
        var old = Assert.Single(await Store.GetOrCreateKeysAsync(System, Ct));
        var before = DateTimeOffset.UtcNow;

        var run = await RunAsync("keys", "rotate", "--json", "--Tokens:KeyReloadInterval=00:10:00", "--Upload:SlotLifetime=01:00:00");

        var after = DateTimeOffset.UtcNow;
        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.StandardOutput);
        var root = json.RootElement;
        Assert.Equal(["added", "keyId", "activatesAt", "replacedKeyId", "replacedRetiresAt"], root.EnumerateObject().Select(p => p.Name));
        Assert.True(root.GetProperty("added").GetBoolean());
        var activatesAt = root.GetProperty("activatesAt").GetDateTimeOffset();
        Assert.InRange(activatesAt, before.AddMinutes(20).AddMilliseconds(-1), after.AddMinutes(20));
        Assert.Equal(old.Id, root.GetProperty("replacedKeyId").GetString());
        Assert.Equal(activatesAt.AddHours(1), root.GetProperty("replacedRetiresAt").GetDateTimeOffset());

        var keys = await Store.GetKeysAsync(System, Ct);
        Assert.Equal([root.GetProperty("keyId").GetString(), old.Id], keys.Select(k => k.Id));
        Assert.Equal(activatesAt, keys[0].ActivatesAt);
        Assert.Equal(activatesAt.AddHours(1), keys[1].RetiresAt);
        Assert.Equal(old.Id, SigningKeySchedule.SignerAt(keys, DateTimeOffset.UtcNow)!.Id);
    }

    [Fact]
    public async Task Rotate_InText_SaysWhenTheNewKeySignsAndWhenTheOldOneRetires()
    {
        var old = Assert.Single(await Store.GetOrCreateKeysAsync(System, Ct));

        var run = await RunAsync("keys", "rotate");

        Assert.True(run.ExitCode == 0, run.ToString());
        var keys = await Store.GetKeysAsync(System, Ct);
        Assert.Equal(2, keys.Count);
        Assert.Equal(
            [
                $"Added signing key {keys[0].Id}: every node verifies with it once it has loaded it, and it signs from {AdminText.Instant(keys[0].ActivatesAt)}.",
                $"Key {old.Id} signs until then and verifies until {AdminText.Instant(keys[1].RetiresAt)}, when the last token it signed has expired.",
            ],
            Lines(run.StandardOutput));
        // The defaults: two one-minute reload intervals, then one five-minute slot lifetime.
        Assert.Equal(keys[0].ActivatesAt.AddMinutes(5), keys[1].RetiresAt);
        Assert.Empty(run.StandardError);
    }

    [Fact]
    public async Task Rotate_WhileARotationIsUnderWay_AddsNothingAndSaysSo()
    {
        var old = Assert.Single(await Store.GetOrCreateKeysAsync(System, Ct));
        var first = await RunAsync("keys", "rotate");

        var second = await RunAsync("keys", "rotate");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        var keys = await Store.GetKeysAsync(System, Ct);
        Assert.Equal(2, keys.Count);
        Assert.Equal(
            [
                $"No key was added: a rotation is already under way. Key {keys[0].Id} signs from {AdminText.Instant(keys[0].ActivatesAt)}.",
                $"Key {old.Id} signs until then and verifies until {AdminText.Instant(keys[1].RetiresAt)}, when the last token it signed has expired.",
            ],
            Lines(second.StandardOutput));
    }

    [Fact]
    public async Task Rotate_WhenTheConfigurationSuppliesTheKeys_IsRefusedAndTheLedgerKeepsItsKeys()
    {
        var old = Assert.Single(await Store.GetOrCreateKeysAsync(System, Ct));

        var run = await RunAsync(["keys", "rotate", .. ConfiguredKeys]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Empty(run.StandardOutput);
        Assert.StartsWith("Nothing was rotated: Tokens:SigningKeys supplies the keys, so the ledger's keys are not used.", run.StandardError, StringComparison.Ordinal);
        Assert.Single(Lines(run.StandardError));
        Assert.Equal([old.Id], (await Store.GetKeysAsync(System, Ct)).Select(k => k.Id));
    }

    [Fact]
    public async Task List_WhenTheConfigurationSuppliesTheKeys_ShowsThoseAndNotTheLedgers()
    {
        var ledgerKey = Assert.Single(await Store.GetOrCreateKeysAsync(System, Ct));

        var run = await RunAsync(["keys", "list", "--json", .. ConfiguredKeys]);

        Assert.True(run.ExitCode == 0, run.ToString());
        using var json = JsonDocument.Parse(run.StandardOutput);
        Assert.Equal("configuration", json.RootElement.GetProperty("source").GetString());
        var keys = json.RootElement.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(["k-2026-12", "k-2026-06"], keys.Select(k => k.GetProperty("id").GetString()));
        Assert.All(keys, k => Assert.Equal(JsonValueKind.Null, k.GetProperty("createdAt").ValueKind));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), keys[0].GetProperty("activatesAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, keys[1].GetProperty("activatesAt").ValueKind);
        Assert.Equal(DateTimeOffset.UtcNow >= new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), keys[0].GetProperty("signing").GetBoolean());
        Assert.NotEqual(keys[0].GetProperty("signing").GetBoolean(), keys[1].GetProperty("signing").GetBoolean());
        Assert.DoesNotContain(ledgerKey.Id, run.StandardOutput, StringComparison.Ordinal);
    }

    protected Task<VerbRun> RunAsync(params string[] args) => VerbRun.StartAsync(Directory.Path, [.. args, .. LedgerArguments], Ct);

    protected static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The rows of the table whose header starts with <paramref name="header"/>, split on spaces, keyed by their first cell.</summary>
    private static Dictionary<string, string[]> TableRows(string output, string header) =>
        output.Split('\n')
            .SkipWhile(line => !line.StartsWith(header, StringComparison.Ordinal))
            .Where(line => line.Length > 0)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(cells => cells[0]);
}
