using Microsoft.Extensions.Logging;

namespace XmppUpload.Http.Tests.Support;

/// <summary>Sends the server's log to the output of the test that started it, so a failing test shows what the server did.</summary>
public sealed class TestOutputLoggerProvider(ITestOutputHelper? output) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new OutputLogger(output, categoryName);

    public void Dispose()
    {
    }

    private sealed class OutputLogger(ITestOutputHelper? output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) =>
            output is not null && logLevel >= (category.StartsWith("XmppUpload", StringComparison.Ordinal) ? LogLevel.Debug : LogLevel.Warning);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            try
            {
                output!.WriteLine($"{logLevel,-11} {category}[{eventId.Id}] {formatter(state, exception)}{(exception is null ? string.Empty : Environment.NewLine + exception)}");
            }
            catch (InvalidOperationException)
            {
                // The test has finished; a server still winding down has nobody to tell.
            }
        }
    }
}
