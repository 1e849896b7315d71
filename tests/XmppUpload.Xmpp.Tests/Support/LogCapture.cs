using Microsoft.Extensions.Logging;

namespace XmppUpload.Xmpp.Tests.Support;

/// <summary>Records every log entry and lets a test wait for the n-th entry of an event, instead of sleeping.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(20);

    private readonly Lock _gate = new();
    private readonly List<LogEntry> _entries = [];
    private readonly List<Waiter> _waiters = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    public int Count(string eventName) => Entries.Count(e => e.EventId.Name == eventName);

    /// <summary>Completes with the <paramref name="occurrence"/>-th entry of the event; fails after a generous safety timeout.</summary>
    public Task<LogEntry> WaitForAsync(string eventName, int occurrence = 1)
    {
        lock (_gate)
        {
            var matching = _entries.Where(e => e.EventId.Name == eventName).ToList();
            if (matching.Count >= occurrence)
            {
                return Task.FromResult(matching[occurrence - 1]);
            }

            var waiter = new Waiter(eventName, occurrence, new TaskCompletionSource<LogEntry>(TaskCreationOptions.RunContinuationsAsynchronously));
            _waiters.Add(waiter);
            return waiter.Completion.Task.WaitAsync(SafetyTimeout);
        }
    }

    public ILogger CreateLogger(string categoryName) => new CaptureLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogEntry entry)
    {
        List<Waiter> done = [];
        lock (_gate)
        {
            _entries.Add(entry);
            foreach (var waiter in _waiters)
            {
                if (_entries.Count(e => e.EventId.Name == waiter.EventName) >= waiter.Occurrence)
                {
                    done.Add(waiter);
                }
            }

            _waiters.RemoveAll(done.Contains);
        }

        foreach (var waiter in done)
        {
            waiter.Completion.TrySetResult(Entries.Where(e => e.EventId.Name == waiter.EventName).ElementAt(waiter.Occurrence - 1));
        }
    }

    private sealed record Waiter(string EventName, int Occurrence, TaskCompletionSource<LogEntry> Completion);

    private sealed class CaptureLogger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            owner.Add(new LogEntry(category, logLevel, eventId, formatter(state, exception), values, exception));
        }
    }
}
