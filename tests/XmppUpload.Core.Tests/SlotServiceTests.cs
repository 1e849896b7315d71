using XmppUpload.Core.Accounts;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;
using XmppUpload.Testing;

namespace XmppUpload.Core.Tests;

public sealed class SlotServiceTests
{
    private static readonly SigningKey Key = new("k", new byte[32], DateTimeOffset.UnixEpoch);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 10, 0, 0, 500, TimeSpan.Zero));
    private readonly MemoryLedger _ledger = new();
    private readonly SlotTokens _tokens = new(() => [Key]);
    private readonly UploadOptions _options = new() { MaxFileSize = 1000 };

    private SlotService CreateService() =>
        new(_ledger, _tokens, new SlotUrls(new Uri("https://upload.montague.tld/")), _options, ["montague.tld"], _time);

    private static SlotRequest Request(long size = 100, Purpose purpose = Purpose.Message, DateTimeOffset? expireBefore = null) =>
        new("très cool.jpg", size, "image/jpeg", purpose, expireBefore);

    [Fact]
    public async Task Request_FromServedDomain_GrantsSlotWithTokenAndRecordsIt()
    {
        var decision = await CreateService().RequestAsync(Jid.Parse("Romeo@montague.tld/garden"), Request(), TestContext.Current.CancellationToken);

        var granted = Assert.IsType<GrantedSlot>(decision.Granted);
        var slot = _ledger.Slots[granted.Slot.Id];
        Assert.Equal("romeo@montague.tld", slot.Owner);
        Assert.Equal(SlotState.Pending, slot.State);
        Assert.Equal($"https://upload.montague.tld/{slot.Id}/tr%C3%A8s%20cool.jpg", granted.PutUrl.AbsoluteUri);
        Assert.Equal(granted.PutUrl, granted.GetUrl);
        var header = Assert.Single(granted.PutHeaders);
        Assert.Equal("Authorization", header.Key);
        Assert.Equal(TokenCheck.Valid, _tokens.Check(header.Value, slot.Id, slot.FileName, _time.GetUtcNow(), out var token));
        Assert.Equal(100, token.Size);
        // The deadline is whole seconds so the token and the ledger agree on it.
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 5, 0, TimeSpan.Zero), slot.PutDeadline);
        Assert.Equal(slot.PutDeadline, token.ExpiresAt);
    }

    [Theory]
    [InlineData("juliet@capulet.tld/balcony")]
    [InlineData("montague.tld")]
    [InlineData("upload.montague.tld")]
    public async Task Request_FromUnservedRequester_IsForbiddenAndRecordsNothing(string requester)
    {
        var decision = await CreateService().RequestAsync(Jid.Parse(requester), Request(), TestContext.Current.CancellationToken);

        Assert.Equal(SlotRefusal.Forbidden, decision.Refusal);
        Assert.False(string.IsNullOrWhiteSpace(decision.Text));
        Assert.Empty(_ledger.Slots);
    }

    [Fact]
    public async Task Request_OverMaxFileSize_IsTooLargeWithTheLimit()
    {
        var decision = await CreateService().RequestAsync(Jid.Parse("romeo@montague.tld"), Request(size: 1001), TestContext.Current.CancellationToken);

        Assert.Equal(SlotRefusal.FileTooLarge, decision.Refusal);
        Assert.Equal(1000, decision.MaxFileSize);
        Assert.Contains("1000", decision.Text, StringComparison.Ordinal);
        Assert.Empty(_ledger.Slots);
    }

    [Fact]
    public async Task Request_AtMaxFileSize_IsGranted()
    {
        var decision = await CreateService().RequestAsync(Jid.Parse("romeo@montague.tld"), Request(size: 1000), TestContext.Current.CancellationToken);

        Assert.NotNull(decision.Granted);
    }

    [Fact]
    public async Task Request_TooLargeForItsPurpose_ReportsThatPurposesLimit()
    {
        _options.Purposes["profile"] = new PurposeOptions { MaxFileSize = 50 };

        var decision = await CreateService().RequestAsync(Jid.Parse("romeo@montague.tld"), Request(size: 51, purpose: Purpose.Profile), TestContext.Current.CancellationToken);

        Assert.Equal(SlotRefusal.FileTooLarge, decision.Refusal);
        Assert.Equal(50, decision.MaxFileSize);
    }

    [Fact]
    public async Task Request_Ephemeral_ExpiresAtExpireBefore()
    {
        var expireBefore = _time.GetUtcNow().AddHours(24);

        var decision = await CreateService().RequestAsync(Jid.Parse("romeo@montague.tld"), Request(purpose: Purpose.Ephemeral, expireBefore: expireBefore), TestContext.Current.CancellationToken);

        Assert.Equal(expireBefore, _ledger.Slots[decision.Granted!.Slot.Id].ExpiresAt);
    }

    [Fact]
    public async Task Request_Message_ExpiresAfterTheBucketsRetention()
    {
        var decision = await CreateService().RequestAsync(Jid.Parse("romeo@montague.tld"), Request(), TestContext.Current.CancellationToken);

        Assert.Equal(_time.GetUtcNow().AddDays(30), decision.Granted!.Slot.ExpiresAt);
    }

    [Fact]
    public async Task Request_EphemeralBeyondRetention_ExpiresAtTheRetention()
    {
        var decision = await CreateService().RequestAsync(
            Jid.Parse("romeo@montague.tld"), Request(purpose: Purpose.Ephemeral, expireBefore: _time.GetUtcNow().AddDays(90)), TestContext.Current.CancellationToken);

        Assert.Equal(_time.GetUtcNow().AddDays(30), decision.Granted!.Slot.ExpiresAt);
    }

    [Fact]
    public async Task Request_OverARejectQuota_IsResourceConstraintWithTheLapseOfTheOpenSlot()
    {
        _options.Purposes["message"] = new PurposeOptions { Quota = 250, OverQuota = OverQuotaRule.Reject };
        var service = CreateService();
        var first = await service.RequestAsync(Jid.Parse("romeo@montague.tld"), Request(size: 200), TestContext.Current.CancellationToken);

        var second = await service.RequestAsync(Jid.Parse("romeo@montague.tld/other"), Request(size: 100), TestContext.Current.CancellationToken);

        Assert.Equal(SlotRefusal.ResourceConstraint, second.Refusal);
        Assert.Equal(first.Granted!.Slot.PutDeadline, second.RetryAt);
        Assert.Single(_ledger.Slots);
    }

    [Fact]
    public async Task Request_AfterTheReservationLapses_IsGranted()
    {
        _options.Purposes["message"] = new PurposeOptions { Quota = 250, OverQuota = OverQuotaRule.Reject };
        var service = CreateService();
        await service.RequestAsync(Jid.Parse("romeo@montague.tld"), Request(size: 200), TestContext.Current.CancellationToken);
        _time.Advance(_options.SlotLifetime);

        var later = await service.RequestAsync(Jid.Parse("romeo@montague.tld"), Request(size: 200), TestContext.Current.CancellationToken);

        Assert.NotNull(later.Granted);
    }

    [Fact]
    public async Task Request_DisabledPurpose_IsBadRequest()
    {
        _options.Purposes["permanent"] = new PurposeOptions { Enabled = false };

        var decision = await CreateService().RequestAsync(Jid.Parse("romeo@montague.tld"), Request(purpose: Purpose.Permanent), TestContext.Current.CancellationToken);

        Assert.Equal(SlotRefusal.BadRequest, decision.Refusal);
    }
}
