using Microsoft.Extensions.Logging;

namespace XmppUpload.Http.Dav;

/// <summary>Every log message of the WebDAV endpoint; event ids 2401-2499 belong to it.</summary>
internal static partial class DavLog
{
    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "WebDAV endpoint mapped at {Path}")]
    public static partial void Mapped(ILogger logger, string path);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Debug, Message = "{Method} {Path} refused with {StatusCode}: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string path, int statusCode, string reason);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Information, Message = "PUT {Path} stored {Size} bytes for {Owner}")]
    public static partial void Stored(ILogger logger, string path, long size, string owner);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Warning, Message = "Could not delete blob {BlobKey} no longer referenced by the WebDAV tree; it is unreachable")]
    public static partial void BlobNotDeleted(ILogger logger, string blobKey, Exception exception);

    [LoggerMessage(EventId = 2405, Level = LogLevel.Error, Message = "PUT {Path} failed in the blob store")]
    public static partial void PutFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 2406, Level = LogLevel.Warning, Message = "GET {Path}: the WebDAV tree names blob {BlobKey} but the blob store has none")]
    public static partial void BlobMissing(ILogger logger, string path, string blobKey);

    [LoggerMessage(EventId = 2407, Level = LogLevel.Information, Message = "{Method} {Path} by {Jid} done with {StatusCode}")]
    public static partial void Changed(ILogger logger, string method, string path, string jid, int statusCode);
}
