using Microsoft.Extensions.Logging;

namespace XmppUpload.Storage.S3;

/// <summary>Log messages of the S3 blob store; event ids 3050-3059 of this assembly's range (see <c>Log</c>).</summary>
internal static partial class S3Log
{
    [LoggerMessage(3050, LogLevel.Warning, "Could not abort multipart upload {UploadId} of {Bucket}/{ObjectKey}; its parts stay until RemoveStaged or a bucket lifecycle rule removes them")]
    public static partial void UploadNotAborted(ILogger logger, string bucket, string objectKey, string uploadId, Exception exception);

    [LoggerMessage(3051, LogLevel.Information, "Aborted {Count} multipart uploads in {Bucket} started more than {MaxAge} ago")]
    public static partial void StaleUploadsAborted(ILogger logger, int count, string bucket, TimeSpan maxAge);

    [LoggerMessage(3052, LogLevel.Information, "Left {Count} multipart uploads in {Bucket} alone: started less than {MaxAge} ago, they may belong to another node")]
    public static partial void RecentUploadsKept(ILogger logger, int count, string bucket, TimeSpan maxAge);

    [LoggerMessage(3053, LogLevel.Warning, "{Bucket} cannot list multipart uploads ({ErrorCode}); parts of crashed uploads are not cleaned up here, so give the bucket a lifecycle rule with AbortIncompleteMultipartUpload")]
    public static partial void ListingUploadsUnsupported(ILogger logger, string bucket, string? errorCode);
}
