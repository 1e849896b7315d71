using Microsoft.Extensions.Logging;

namespace XmppUpload.Storage.Postgres;

/// <summary>Log messages of the link lease and the node bus on PostgreSQL; event ids 3060-3069 of XmppUpload.Storage's range (see Log.cs).</summary>
internal static partial class PostgresClusterLog
{
    [LoggerMessage(3060, LogLevel.Warning, "The PostgreSQL session holding the component link lease {Lease} failed its check; the lease is lost")]
    public static partial void LeaseSessionLost(ILogger logger, string lease, Exception exception);

    [LoggerMessage(3061, LogLevel.Debug, "Released the component link lease {Lease}")]
    public static partial void LeaseReleased(ILogger logger, string lease);

    [LoggerMessage(3062, LogLevel.Warning, "The node bus lost its PostgreSQL connection; reconnecting (messages sent meanwhile are missed)")]
    public static partial void BusDisconnected(ILogger logger, Exception exception);

    [LoggerMessage(3063, LogLevel.Information, "The node bus is listening on PostgreSQL again after {Attempts} attempts")]
    public static partial void BusReconnected(ILogger logger, int attempts);

    [LoggerMessage(3064, LogLevel.Error, "A node bus handler of channel {Channel} failed")]
    public static partial void BusHandlerFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(3065, LogLevel.Debug, "The node bus listens on {Channels} channels")]
    public static partial void BusListening(ILogger logger, int channels);
}
