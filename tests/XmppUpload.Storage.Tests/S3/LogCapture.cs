using Microsoft.Extensions.Logging;

namespace XmppUpload.Storage.Tests.S3;

/// <summary>A logger that keeps every entry, to assert on what the store reported.</summary>
internal sealed class LogCapture<T> : ILogger<T>
{
    private readonly Lock _gate = new();
    private readonly List<(EventId EventId, string Message, Exception? Exception)> _entries = [];

    public IReadOnlyList<(EventId EventId, string Message, Exception? Exception)> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate)
        {
            _entries.Add((eventId, formatter(state, exception), exception));
        }
    }
}
