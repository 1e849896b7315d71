using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.HttpAuth;
using XmppUpload.Http.Dav;
using XmppUpload.Http.Dav.Auth;
using XmppUpload.Testing;

namespace XmppUpload.Http.Tests.DavAuth;

/// <summary>Expired nonce counts and answers are removed every minute, in bounded batches.</summary>
public sealed class DavAuthStateCleanupTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cleanup_EveryInterval_RemovesBatchesUntilOneComesBackShort()
    {
        var clock = new FakeTimeProvider();
        var timers = new TimerSignallingClock(clock);
        var store = new CountingStore([DavAuthStateCleanupService.BatchSize, DavAuthStateCleanupService.BatchSize, 7, 0]);
        using var service = new DavAuthStateCleanupService(store, Options.Create(new WebDavOptions()), timers, NullLogger<DavAuthStateCleanupService>.Instance);
        await service.StartAsync(Token);
        await timers.TimerCreated.Task.WaitAsync(TimeSpan.FromSeconds(10), Token);

        clock.Advance(DavAuthStateCleanupService.Interval);
        var firstRound = new[] { await store.NextCallAsync(), await store.NextCallAsync(), await store.NextCallAsync() };
        clock.Advance(DavAuthStateCleanupService.Interval);
        var secondRound = await store.NextCallAsync();
        await service.StopAsync(Token);

        // Two full batches and a short one in the first round, each bounded; the next round starts a minute later.
        Assert.All(firstRound, call => Assert.Equal(DavAuthStateCleanupService.BatchSize, call.BatchSize));
        Assert.All(firstRound, call => Assert.Equal(clock.GetUtcNow() - DavAuthStateCleanupService.Interval, call.Now));
        Assert.Equal(clock.GetUtcNow(), secondRound.Now);
        Assert.Equal(4, store.Calls);
    }

    [Fact]
    public async Task Cleanup_WhenWebDavIsDisabled_NeverTouchesTheStore()
    {
        var clock = new FakeTimeProvider();
        var store = new CountingStore([]);
        using var service = new DavAuthStateCleanupService(store, Options.Create(new WebDavOptions { Enabled = false }), clock, NullLogger<DavAuthStateCleanupService>.Instance);
        await service.StartAsync(Token);

        clock.Advance(DavAuthStateCleanupService.Interval * 3);
        await service.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10), Token);

        Assert.Equal(0, store.Calls);
    }

    [Fact]
    public async Task MemoryStore_RemoveExpired_ForgetsOnlyWhatExpired()
    {
        var clock = new FakeTimeProvider();
        var store = new MemoryHttpAuthStateStore(clock);
        var juliet = Jid.Parse("juliet@capulet.com/balcony");
        var now = clock.GetUtcNow();
        await store.RecordAnswerAsync(juliet, "short-lived-id", true, now, now + TimeSpan.FromMinutes(1), Token);
        await store.RecordAnswerAsync(juliet, "long-lived-id", true, now, now + TimeSpan.FromMinutes(10), Token);
        Assert.Equal(NonceCountUse.Fresh, await store.TryUseNonceCountAsync("nonce-1", 1, now + TimeSpan.FromMinutes(5), 10, Token));

        var removed = await store.RemoveExpiredAsync(now + TimeSpan.FromMinutes(5), 100, Token);

        Assert.Equal(2, removed);
        Assert.Null(await store.FindAnswerAsync(juliet, "short-lived-id", now - TimeSpan.FromMinutes(10), Token));
        Assert.Equal(ConfirmationOutcome.Confirmed, await store.FindAnswerAsync(juliet, "long-lived-id", now - TimeSpan.FromMinutes(10), Token));
    }

    /// <summary>The fake clock, telling the test when the service has set its timer (ExecuteAsync runs on its own).</summary>
    private sealed class TimerSignallingClock(FakeTimeProvider clock) : TimeProvider
    {
        public TaskCompletionSource TimerCreated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override long TimestampFrequency => clock.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override long GetTimestamp() => clock.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = clock.CreateTimer(callback, state, dueTime, period);
            TimerCreated.TrySetResult();
            return timer;
        }
    }

    /// <summary>Answers each RemoveExpired call with the next scripted count and hands the call to the test.</summary>
    private sealed class CountingStore(int[] removals) : IHttpAuthStateStore
    {
        private readonly Channel<(DateTimeOffset Now, int BatchSize)> _calls = Channel.CreateUnbounded<(DateTimeOffset, int)>();
        private int _count;

        public int Calls => _count;

        public async Task<(DateTimeOffset Now, int BatchSize)> NextCallAsync() =>
            await _calls.Reader.ReadAsync(Token).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Token);

        public Task<int> RemoveExpiredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken)
        {
            var index = Interlocked.Increment(ref _count) - 1;
            _calls.Writer.TryWrite((now, batchSize));
            return Task.FromResult(index < removals.Length ? removals[index] : 0);
        }

        public Task<NonceCountUse> TryUseNonceCountAsync(string nonce, uint nonceCount, DateTimeOffset nonceExpiresAt, int maxUsesPerNonce, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<ConfirmationOutcome?> FindAnswerAsync(Jid jid, string transactionId, DateTimeOffset answeredAfter, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task RecordAnswerAsync(Jid jid, string transactionId, bool confirmed, DateTimeOffset answeredAt, DateTimeOffset keepUntil, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
