using Microsoft.Extensions.Logging;

namespace XmppUpload.Storage.Postgres;

/// <summary>
/// Log messages of what the PostgreSQL ledger keeps for WebDAV (the tree, XEP-0070 state) and of its shared secrets;
/// event ids 3060-3069 of XmppUpload.Storage's range (see Log.cs).
/// </summary>
internal static partial class PostgresDavLog
{
    [LoggerMessage(3060, LogLevel.Information, "Created the shared secret {Name}")]
    public static partial void SharedSecretCreated(ILogger logger, string name);

    [LoggerMessage(3061, LogLevel.Debug, "A WebDAV change met a concurrent one ({SqlState}); attempt {Attempt} starts over")]
    public static partial void DavChangeRetried(ILogger logger, string sqlState, int attempt);
}
