using Microsoft.Extensions.Logging;

namespace XmppUpload.Http;

/// <summary>Every log message of the HTTP endpoints, with its event id.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning,
        Message = "Http:PublicUrl {PublicUrl} uses plain http; XEP-0363 requires https, so this is right only behind a TLS-terminating proxy")]
    public static partial void PlainHttpPublicUrl(ILogger logger, Uri publicUrl);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Upload endpoints mapped at {RoutePattern}")]
    public static partial void EndpointsMapped(ILogger logger, string routePattern);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug, Message = "PUT {SlotId} refused with {StatusCode}: {Reason}")]
    public static partial void PutRefused(ILogger logger, string slotId, int statusCode, string reason);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Debug, Message = "PUT {SlotId} started, {Size} bytes")]
    public static partial void UploadStarted(ILogger logger, string slotId, long size);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Information, Message = "PUT {SlotId} stored {Size} bytes")]
    public static partial void UploadStored(ILogger logger, string slotId, long size);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Information,
        Message = "PUT {SlotId} aborted after {Received} of {Size} bytes ({Cause}); the slot is open for another PUT")]
    public static partial void UploadAborted(ILogger logger, string slotId, long received, long size, string cause);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Error, Message = "PUT {SlotId} failed in the blob store or ledger; the slot is open for another PUT")]
    public static partial void UploadFailed(ILogger logger, string slotId, Exception exception);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning,
        Message = "PUT {SlotId} committed its bytes but the ledger no longer had the upload in progress; the file is not served")]
    public static partial void CompleteRefused(ILogger logger, string slotId);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Error, Message = "PUT {SlotId} could not return the slot to Pending after a failed upload")]
    public static partial void AbortFailed(ILogger logger, string slotId, Exception exception);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Information, Message = "PUT {SlotId} cancelled: the client went away; the slot is open for another PUT")]
    public static partial void UploadCancelled(ILogger logger, string slotId);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "GET {SlotId}: the ledger has the file stored but the blob store has no blob")]
    public static partial void BlobMissing(ILogger logger, string slotId);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Error,
        Message = "GET {SlotId}: the blob ended {Missing} bytes before its recorded size; the connection was aborted")]
    public static partial void BlobShort(ILogger logger, string slotId, long missing);
}
