using Microsoft.Extensions.Logging;

namespace XmppUpload.Xmpp.Tests.Support;

internal sealed record LogEntry(
    string Category,
    LogLevel Level,
    EventId EventId,
    string Message,
    IReadOnlyList<KeyValuePair<string, object?>> Values,
    Exception? Exception)
{
    public object? Value(string name) => Values.FirstOrDefault(v => v.Key == name).Value;
}
