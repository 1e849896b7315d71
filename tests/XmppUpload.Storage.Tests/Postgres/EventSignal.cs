using Microsoft.Extensions.Logging;

namespace XmppUpload.Storage.Tests.Postgres;

/// <summary>A logger that lets a test wait for the n-th entry of an event id, instead of sleeping or polling.</summary>
internal sealed class EventSignal<T> : ILogger<T>
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly List<(EventId EventId, string Message, Exception? Exception)> _entries = [];
    private readonly List<(int Id, int Occurrence, TaskCompletionSource Done)> _waiters = [];

    public int Count(int eventId)
    {
        lock (_gate)
        {
            return _entries.Count(e => e.EventId.Id == eventId);
        }
    }

    public string Messages()
    {
        lock (_gate)
        {
            return string.Join(Environment.NewLine, _entries.Select(e => $"{e.EventId.Id} {e.Message} {e.Exception?.Message}"));
        }
    }

    /// <summary>Completes once the event has been logged <paramref name="occurrence"/> times; fails after a generous safety timeout.</summary>
    public Task WaitForAsync(int eventId, int occurrence = 1)
    {
        lock (_gate)
        {
            if (_entries.Count(e => e.EventId.Id == eventId) >= occurrence)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((eventId, occurrence, done));
            return done.Task.WaitAsync(SafetyTimeout);
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        List<TaskCompletionSource> done = [];
        lock (_gate)
        {
            _entries.Add((eventId, formatter(state, exception), exception));
            foreach (var waiter in _waiters.Where(w => _entries.Count(e => e.EventId.Id == w.Id) >= w.Occurrence).ToList())
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
}
