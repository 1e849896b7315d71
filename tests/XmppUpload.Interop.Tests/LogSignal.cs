using Microsoft.Extensions.Logging;

namespace XmppUpload.Interop.Tests;

/// <summary>Records the events of an in-process host and lets a test wait for the n-th entry of one, instead of polling.</summary>
internal sealed class LogSignal : ILoggerProvider
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(60);

    private readonly Lock _gate = new();
    private readonly List<(string Event, string Message)> _entries = [];
    private readonly List<(string Event, int Occurrence, TaskCompletionSource Done)> _waiters = [];

    public int Count(string eventName)
    {
        lock (_gate)
        {
            return _entries.Count(e => e.Event == eventName);
        }
    }

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return string.Join(Environment.NewLine, _entries.Select(e => e.Message));
            }
        }
    }

    public Task WaitForAsync(string eventName, int occurrence = 1)
    {
        lock (_gate)
        {
            if (_entries.Count(e => e.Event == eventName) >= occurrence)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((eventName, occurrence, done));
            return done.Task.WaitAsync(SafetyTimeout);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private void Add(string eventName, string message)
    {
        List<TaskCompletionSource> done = [];
        lock (_gate)
        {
            _entries.Add((eventName, message));
            foreach (var waiter in _waiters.Where(w => _entries.Count(e => e.Event == w.Event) >= w.Occurrence).ToList())
            {
                _waiters.Remove(waiter);
                done.Add(waiter.Done);
            }
        }

        foreach (var waiter in done)
        {
            waiter.TrySetResult();
        }
    }

    private sealed class Logger(LogSignal owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), formatter(state, exception));
    }
}
