using Microsoft.Extensions.Logging;

namespace XmppUpload.Node.Tests.Support;

/// <summary>One captured log line.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, int EventId, string Message, Exception? Exception);
