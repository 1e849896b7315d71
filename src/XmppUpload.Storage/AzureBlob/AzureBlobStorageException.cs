using System.Net;

namespace XmppUpload.Storage.AzureBlob;

/// <summary>
/// The Blob service refused a request, or could not be reached after the retries. An infrastructure failure, never an
/// ordinary outcome (a missing blob is not one of these). An <see cref="IOException"/>, like a disk's failure in the
/// file-system store, so callers that survive one survive the other.
/// </summary>
public sealed class AzureBlobStorageException : IOException
{
    public AzureBlobStorageException()
    {
    }

    public AzureBlobStorageException(string message)
        : base(message)
    {
    }

    public AzureBlobStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal AzureBlobStorageException(string message, HttpStatusCode? statusCode, string? errorCode, string? requestId, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        RequestId = requestId;
    }

    /// <summary>The HTTP status the service answered with; null when no answer came (connection failure, timeout).</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The service's error code (<c>x-ms-error-code</c>, e.g. <c>AuthenticationFailed</c>, <c>ContainerNotFound</c>).</summary>
    public string? ErrorCode { get; }

    /// <summary>The service's <c>x-ms-request-id</c>, which Azure support asks for.</summary>
    public string? RequestId { get; }
}
