using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Slots;
using XmppUpload.Node.Hosting;
using XmppUpload.Node.Tests.Support;
using XmppUpload.Testing;

namespace XmppUpload.Node.Tests;

public sealed class SweeperServiceTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Service_SweepsAtStartAndAtEveryInterval()
    {
        await using var data = await SeededDataDirectory.CreateAsync(Cancellation);
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new UploadOptions { SweepInterval = TimeSpan.FromMinutes(5) };
        var logger = new SweepLog();
        using var service = new SweeperService(new Sweeper(data.Ledger, data.Blobs, clock), options, clock, logger);

        await service.StartAsync(Cancellation);
        var first = await logger.NextAsync();

        // At start: the file that expired in February is gone from the ledger and from the disk.
        Assert.Contains("1 files expired", first, StringComparison.Ordinal);
        Assert.Null(await data.Ledger.FindSlotAsync(data.BobExpired.Id, Cancellation));
        Assert.False(await data.Blobs.ExistsAsync(data.BobExpired.Id, Cancellation));
        Assert.Equal(SlotState.Stored, (await data.Ledger.FindSlotAsync(data.AlicePhoto.Id, Cancellation))!.State);

        // The next tick, one interval later, finds the rest expired and the open slot lapsed.
        clock.SetUtcNow(new DateTimeOffset(2100, 1, 2, 0, 0, 0, TimeSpan.Zero));
        clock.Advance(options.SweepInterval);
        var second = await logger.NextAsync();

        Assert.Contains("2 files expired, 1 reservations lapsed", second, StringComparison.Ordinal);
        Assert.Null(await data.Ledger.FindSlotAsync(data.AlicePhoto.Id, Cancellation));
        Assert.Null(await data.Ledger.FindSlotAsync(data.AlicePending.Id, Cancellation));
        Assert.False(await data.Blobs.ExistsAsync(data.BobAvatar.Id, Cancellation));
        Assert.NotNull(await data.Ledger.FindSlotAsync(data.AliceNotes.Id, Cancellation));

        await service.StopAsync(Cancellation);
    }

    /// <summary>Hands each "Sweep:" log line to the test as it is written.</summary>
    private sealed class SweepLog : ILogger<SweeperService>
    {
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

        public async Task<string> NextAsync() =>
            await _lines.Reader.ReadAsync(Cancellation).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Cancellation);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = formatter(state, exception);
            _lines.Writer.TryWrite(exception is null ? line : $"{line}: {exception}");
        }
    }
}
