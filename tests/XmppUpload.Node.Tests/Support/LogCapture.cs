using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace XmppUpload.Node.Tests.Support;

/// <summary>
/// Keeps every log line of the XmppUpload categories, so a test can count them and wait until a line with a given
/// event id has been logged so many times (the signal that a background step has finished), without sleeping.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private readonly Channel<bool> _logged = Channel.CreateUnbounded<bool>();

    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    public int Count(int eventId) => _entries.Count(e => e.EventId == eventId);

    /// <summary>Returns once <paramref name="count"/> lines with <paramref name="eventId"/> have been logged; fails after 30 s.</summary>
    public async Task WaitForCountAsync(int eventId, int count)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(WaitTimeout);
        while (Count(eventId) < count)
        {
            await _logged.Reader.ReadAsync(timeout.Token);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => category.StartsWith("XmppUpload", StringComparison.Ordinal);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            capture._entries.Enqueue(new CapturedLog(category, logLevel, eventId.Id, formatter(state, exception), exception));
            capture._logged.Writer.TryWrite(true);
        }
    }
}
