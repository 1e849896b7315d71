using XmppUpload.Core.Tokens;
using XmppUpload.Testing;

namespace XmppUpload.Core.Tests;

/// <summary>Which key signs and which verify over time, and what a rotation decides, on a fake clock.</summary>
public sealed class SigningKeyScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Delay = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private static readonly KeyRotationPolicy Policy = new(Delay, Lifetime);

    private readonly FakeTimeProvider _clock = new(Start);

    private static SigningKey Key(string id, DateTimeOffset activatesAt, DateTimeOffset? retiresAt = null) =>
        new(id, Enumerable.Range(id[0], SigningKey.SecretLength).Select(i => (byte)i).ToArray(), activatesAt) { RetiresAt = retiresAt };

    [Fact]
    public void SignerAt_IsTheFirstActiveKey_SkippingKeysNotYetActiveAndRetired()
    {
        var pending = Key("new", Start.AddMinutes(2));
        var current = Key("cur", Start.AddDays(-1), retiresAt: Start.AddMinutes(7));
        var retired = Key("old", Start.AddDays(-2), retiresAt: Start);

        Assert.Same(current, SigningKeySchedule.SignerAt([pending, current, retired], Start));
        Assert.Same(pending, SigningKeySchedule.SignerAt([pending, current, retired], Start.AddMinutes(2)));
    }

    [Fact]
    public void SignerAt_ConfiguredOrder_TheFirstActiveInTheGivenOrderSigns()
    {
        // Tokens:SigningKeys lists the operator's preference; both keys are active, the first one listed signs.
        var listedFirst = Key("b", Start.AddDays(-2));
        var listedSecond = Key("a", Start.AddDays(-1));

        Assert.Same(listedFirst, SigningKeySchedule.SignerAt([listedFirst, listedSecond], Start));
    }

    [Fact]
    public void SignerAt_WhenNoKeyIsActiveYet_TheEarliestToActivateSigns_NeverARetiredOne()
    {
        // A node whose clock lags the one that created the ledger's first key.
        var first = Key("first", Start.AddSeconds(1));
        var later = Key("later", Start.AddMinutes(2));

        Assert.Same(first, SigningKeySchedule.SignerAt([later, first], Start));
        Assert.Null(SigningKeySchedule.SignerAt([Key("gone", Start.AddDays(-1), retiresAt: Start)], Start));
        Assert.Null(SigningKeySchedule.SignerAt([], Start));
    }

    [Fact]
    public void PlanRotation_AddsAKeyThatSignsAfterTheDelay_AndRetiresTheCurrentOneATokenLifetimeAfterThat()
    {
        var current = Key("cur", Start.AddDays(-1));

        var rotation = SigningKeySchedule.PlanRotation([current], Start, Policy);

        Assert.True(rotation.Added);
        Assert.Matches("^[a-z2-7]{8}$", rotation.Key.Id);
        Assert.Equal(SigningKey.SecretLength, rotation.Key.Secret.Length);
        Assert.Equal(Start, rotation.Key.CreatedAt);
        Assert.Equal(Start + Delay, rotation.Key.ActivatesAt);
        Assert.Null(rotation.Key.RetiresAt);
        var retiring = Assert.Single(rotation.Retiring);
        Assert.Equal("cur", retiring.Id);
        Assert.Equal(Start + Delay + Lifetime, retiring.RetiresAt);
        Assert.Equal(retiring, rotation.Replaced);
    }

    [Fact]
    public void PlanRotation_WhileTheNewestKeyIsNotActiveYet_AddsNothingAndReportsThatRotation()
    {
        var current = Key("cur", Start.AddDays(-1), retiresAt: Start + Delay + Lifetime);
        var pending = Key("new", Start + Delay);

        var rotation = SigningKeySchedule.PlanRotation([pending, current], Start.AddSeconds(30), Policy);

        Assert.False(rotation.Added);
        Assert.Same(pending, rotation.Key);
        Assert.Same(current, rotation.Replaced);
        Assert.Empty(rotation.Retiring);
    }

    [Fact]
    public void PlanRotation_AfterTheLastActivated_LeavesEarlierRetirementsAsTheyWere()
    {
        var oldest = Key("old", Start.AddDays(-1), retiresAt: Start.AddMinutes(7));
        var current = Key("cur", Start.AddMinutes(2));
        var now = Start.AddMinutes(3);

        var rotation = SigningKeySchedule.PlanRotation([current, oldest], now, Policy);

        Assert.True(rotation.Added);
        var retiring = Assert.Single(rotation.Retiring);
        Assert.Equal("cur", retiring.Id);
        Assert.Equal(now + Delay + Lifetime, retiring.RetiresAt);
    }

    [Fact]
    public void PlanRotation_WithNoKey_CreatesTheFirstKeyActiveAtOnce()
    {
        var rotation = SigningKeySchedule.PlanRotation([], Start, Policy);

        Assert.True(rotation.Added);
        Assert.Equal(Start, rotation.Key.ActivatesAt);
        Assert.Null(rotation.Replaced);
        Assert.Empty(rotation.Retiring);
    }

    [Fact]
    public void Policy_ForReloadInterval_ActivatesAfterTwoIntervals_InWholeMillisecondsRoundedUp()
    {
        var policy = KeyRotationPolicy.ForReloadInterval(TimeSpan.FromMinutes(1), TimeSpan.FromTicks(TimeSpan.TicksPerSecond + 1));

        Assert.Equal(TimeSpan.FromMinutes(2), policy.ActivationDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(1001), policy.MaxTokenLifetime);
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyRotationPolicy(TimeSpan.Zero, Lifetime));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyRotationPolicy(Delay, TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void Rotation_OverTime_TheOldKeySignsUntilActivation_ThenTheNewOne_AndOldTokensVerifyUntilTheyExpire()
    {
        var keys = new List<SigningKey> { Key("cur", Start.AddDays(-1)) };
        var tokens = new SlotTokens(() => keys, _clock);
        var rotation = SigningKeySchedule.PlanRotation(keys, Start, Policy);
        keys = [rotation.Key, .. rotation.Retiring];

        // Just before the activation the old key still signs; its token lives one slot lifetime.
        _clock.SetUtcNow(rotation.Key.ActivatesAt.AddMilliseconds(-1));
        var lastOld = tokens.Issue("slot", "a.txt", 1, null, _clock.GetUtcNow() + Lifetime);
        Assert.StartsWith("Bearer v1.cur.", lastOld, StringComparison.Ordinal);

        _clock.SetUtcNow(rotation.Key.ActivatesAt);
        var firstNew = tokens.Issue("slot", "a.txt", 1, null, _clock.GetUtcNow() + Lifetime);
        Assert.StartsWith($"Bearer v1.{rotation.Key.Id}.", firstNew, StringComparison.Ordinal);

        // After the new key took over, the old key's last token stays valid until its own deadline, which comes before
        // the old key retires; only then is it refused as expired, and from the retirement on as not valid at all.
        var retiresAt = rotation.Replaced!.RetiresAt!.Value;
        Assert.Equal(TokenCheck.Valid, tokens.Check(lastOld, "slot", "a.txt", rotation.Key.ActivatesAt.AddMinutes(4), out var last));
        Assert.True(last.ExpiresAt < retiresAt, $"{last.ExpiresAt:O} is not before {retiresAt:O}");
        Assert.Equal(TokenCheck.Expired, tokens.Check(lastOld, "slot", "a.txt", retiresAt.AddMilliseconds(-1), out _));
        Assert.Equal(TokenCheck.Invalid, tokens.Check(lastOld, "slot", "a.txt", retiresAt, out _));
        Assert.Equal(TokenCheck.Valid, tokens.Check(firstNew, "slot", "a.txt", retiresAt.AddSeconds(-1), out _));
    }

    [Fact]
    public void Issue_WithNoKeyThatCanSign_Throws()
    {
        var tokens = new SlotTokens(() => [Key("gone", Start.AddDays(-1), retiresAt: Start)], _clock);

        Assert.Throws<InvalidOperationException>(() => tokens.Issue("slot", "a.txt", 1, null, Start.AddMinutes(5)));
    }

    [Fact]
    public async Task CheckAsync_TokenOfAKeyTheNodeDoesNotHold_AsksTheProviderAndVerifiesWhatItLoaded()
    {
        var current = Key("cur", Start.AddDays(-1));
        var rotated = Key("new", Start.AddDays(-1));
        var signer = new SlotTokens(() => [rotated], _clock);
        var provider = new LoadingProvider([current], loads: [rotated, current]);
        var node = new SlotTokens(provider, _clock);
        var header = signer.Issue("slot", "a.txt", 1, null, Start.AddMinutes(5));

        var verdict = await node.CheckAsync(header, "slot", "a.txt", Start, TestContext.Current.CancellationToken);

        Assert.Equal(TokenCheck.Valid, verdict.Check);
        Assert.Equal("new", verdict.Token.KeyId);
        Assert.Equal(["new"], provider.Asked);
    }

    [Fact]
    public async Task CheckAsync_WhenTheProviderFindsNothing_IsInvalid()
    {
        var provider = new LoadingProvider([Key("cur", Start.AddDays(-1))], loads: null);
        var stranger = new SlotTokens(() => [Key("xyz", Start.AddDays(-1))], _clock).Issue("slot", "a.txt", 1, null, Start.AddMinutes(5));

        var verdict = await new SlotTokens(provider, _clock).CheckAsync(stranger, "slot", "a.txt", Start, TestContext.Current.CancellationToken);

        Assert.Equal(TokenCheck.Invalid, verdict.Check);
        Assert.Equal(["xyz"], provider.Asked);
    }

    [Theory]
    [InlineData("Bearer v1.cur.1.1..AA")] // a held key, a wrong signature
    [InlineData("Bearer v1.xyz.x.1..AA")] // malformed: never reaches the key lookup
    [InlineData("Bearer v1.xyz.1.1..!!")] // undecodable signature
    public async Task CheckAsync_ForATokenThatCannotBeRightWhateverTheKeys_DoesNotAskTheProvider(string header)
    {
        var provider = new LoadingProvider([Key("cur", Start.AddDays(-1))], loads: null);

        var verdict = await new SlotTokens(provider, _clock).CheckAsync(header, "slot", "a.txt", Start, TestContext.Current.CancellationToken);

        Assert.Equal(TokenCheck.Invalid, verdict.Check);
        Assert.Empty(provider.Asked);
    }

    /// <summary>Holds some keys and, when asked for an unknown one, switches to <c>loads</c> (if any).</summary>
    private sealed class LoadingProvider(IReadOnlyList<SigningKey> keys, IReadOnlyList<SigningKey>? loads) : ISigningKeyProvider
    {
        public List<string> Asked { get; } = [];

        public IReadOnlyList<SigningKey> Keys { get; private set; } = keys;

        public ValueTask<bool> TryLoadUnknownKeyAsync(string keyId, CancellationToken cancellationToken)
        {
            Asked.Add(keyId);
            if (loads is not null)
            {
                Keys = loads;
            }

            return ValueTask.FromResult(SigningKeySchedule.Find(Keys, keyId) is not null);
        }
    }
}
