using Microsoft.Extensions.Options;
using XmppUpload.Node.Configuration;
using XmppUpload.Node.Tests.Support;
using XmppUpload.Testing;

namespace XmppUpload.Node.Tests.Keys;

/// <summary>The <c>Tokens</c> section is refused at start with one line per problem, naming the key and never its secret.</summary>
public sealed class TokensOptionsTests
{
    private const string GoodSecret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="; // 32 bytes

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Defaults_LedgerKeysReloadedEveryMinute_AreAccepted()
    {
        var options = new TokensOptions();

        Assert.False(options.UsesConfiguredKeys);
        Assert.Equal(TimeSpan.FromMinutes(1), options.KeyReloadInterval);
        Assert.True(Validate(options).Succeeded);
    }

    [Theory]
    [InlineData(null, GoodSecret, "Tokens:SigningKeys:0:Id is missing: give each key a name of letters, digits, '-' and '_', such as 2026-11.")]
    [InlineData("bad.id", GoodSecret, "Tokens:SigningKeys:0:Id may hold only letters, digits, '-' and '_', at most 64 of them: tokens carry it between dots.")]
    [InlineData("k1", null, "Tokens:SigningKeys:0:Secret of key 'k1' is missing: set at least 32 random bytes in base64 (openssl rand -base64 32).")]
    [InlineData("k1", "not base64!", "Tokens:SigningKeys:0:Secret of key 'k1' is not base64: set at least 32 random bytes in base64 (openssl rand -base64 32).")]
    [InlineData("k1", "c2hvcnQ=", "Tokens:SigningKeys:0:Secret of key 'k1' has 5 bytes; it needs at least 32 (openssl rand -base64 32).")]
    public void ABadKey_IsRefusedWithOneLineNamingIt(string? id, string? secret, string expected)
    {
        var result = Validate(Options(new ConfiguredSigningKey { Id = id, Secret = secret }));

        Assert.Equal([expected], result.Failures);
    }

    [Fact]
    public void TwoKeysWithOneId_AreRefused()
    {
        var result = Validate(Options(
            new ConfiguredSigningKey { Id = "k1", Secret = GoodSecret },
            new ConfiguredSigningKey { Id = "k1", Secret = GoodSecret }));

        Assert.Equal(["Tokens:SigningKeys:1:Id 'k1' is also the id of Tokens:SigningKeys:0: give each key its own id."], result.Failures);
    }

    [Fact]
    public void EveryProblem_GetsItsOwnLine_AndNoSecretIsRepeated()
    {
        var result = Validate(new TokensOptions
        {
            KeyReloadInterval = TimeSpan.Zero,
            SigningKeys =
            [
                new ConfiguredSigningKey { Id = "k1", Secret = "c2VjcmV0LXZhbHVl" },
                new ConfiguredSigningKey { Id = "k2", Secret = "AAAA" },
            ],
        });

        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains("Tokens:KeyReloadInterval must be a duration between 00:00:01 and 01:00:00 (for example 00:01:00).", result.Failures!);
        Assert.All(result.Failures!, line => Assert.DoesNotContain('\n', line));
        Assert.All(result.Failures!, line => Assert.DoesNotContain("c2VjcmV0LXZhbHVl", line, StringComparison.Ordinal));
    }

    [Fact]
    public void NoKeyActiveAtStart_IsRefused_AKeyActiveLaterBesideOneActiveNowIsNot()
    {
        var later = _clock.GetUtcNow().AddDays(1);

        var none = Validate(Options(new ConfiguredSigningKey { Id = "k2", Secret = GoodSecret, ActivatesAt = later }));
        var one = Validate(Options(
            new ConfiguredSigningKey { Id = "k2", Secret = GoodSecret, ActivatesAt = later },
            new ConfiguredSigningKey { Id = "k1", Secret = GoodSecret }));

        Assert.Equal(
            ["Tokens:SigningKeys has no key that signs now: the first, 'k2', activates at 2026-03-02T10:00:00.0000000+00:00; leave ActivatesAt out of the key that should sign from the start."],
            none.Failures);
        Assert.True(one.Succeeded);
    }

    [Theory]
    [InlineData("00:00:00.5")]
    [InlineData("01:00:01")]
    public void KeyReloadInterval_OutsideOneSecondToOneHour_IsRefused(string interval)
    {
        var result = Validate(new TokensOptions { KeyReloadInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Equal(["Tokens:KeyReloadInterval must be a duration between 00:00:01 and 01:00:00 (for example 00:01:00)."], result.Failures);
    }

    [Fact]
    public async Task Node_WithABadConfiguredKey_RefusesToStartWithOneLineNamingIt()
    {
        using var directory = TemporaryDirectory.Create("node-bad-key");

        var run = await VerbRun.StartAsync(directory.Path, [
            "--Kestrel:Endpoints:Http:Url=http://127.0.0.1:0",
            "--Xmpp:Secret=s3cret",
            "--Http:PublicUrl=https://upload.example.org/",
            "--WebDav:Enabled=false",
            "--Tokens:SigningKeys:0:Id=2026-11",
            "--Tokens:SigningKeys:0:Secret=c2hvcnQ=",
        ], TestContext.Current.CancellationToken);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal(
            "Tokens:SigningKeys:0:Secret of key '2026-11' has 5 bytes; it needs at least 32 (openssl rand -base64 32).",
            run.StandardError.Trim());
    }

    private static TokensOptions Options(params ConfiguredSigningKey[] keys) => new() { SigningKeys = [.. keys] };

    private ValidateOptionsResult Validate(TokensOptions options) => new TokensOptionsValidator(_clock).Validate(null, options);
}
