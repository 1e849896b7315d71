using Microsoft.Extensions.Logging;

namespace XmppUpload.Storage.AzureBlob;

/// <summary>Log messages of the Azure blob store; event ids 3080-3089 of the assembly's 3000-3099.</summary>
internal static partial class AzureBlobLog
{
    [LoggerMessage(3080, LogLevel.Information, "Created the blob container {Container}")]
    public static partial void ContainerCreated(ILogger logger, Uri container);

    [LoggerMessage(3081, LogLevel.Information, "Blob store ready: container {Container}")]
    public static partial void ContainerReady(ILogger logger, Uri container);

    [LoggerMessage(3082, LogLevel.Warning, "{Method} {Resource} failed ({Reason}); attempt {Attempt} of {MaxAttempts} follows in {Delay}")]
    public static partial void Retrying(ILogger logger, string method, string resource, string reason, int attempt, int maxAttempts, TimeSpan delay);

    [LoggerMessage(3083, LogLevel.Debug, "Upload of {Key} abandoned after {Blocks} staged blocks; the service discards uncommitted blocks by itself")]
    public static partial void UploadAbandoned(ILogger logger, string key, int blocks);
}
