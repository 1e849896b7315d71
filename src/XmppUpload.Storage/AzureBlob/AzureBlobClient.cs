using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml;
using Microsoft.Extensions.Logging;

namespace XmppUpload.Storage.AzureBlob;

/// <summary>
/// The few Blob service REST operations the store needs, on one container, signed with the account's Shared Key, over
/// one pooled <see cref="SocketsHttpHandler"/>. Transient failures (no answer, 408, 429, 5xx) are retried twice with
/// backoff; every operation here is idempotent, so a retry after a lost answer is safe. Other refusals become an
/// <see cref="AzureBlobStorageException"/> carrying the service's error code; "not found" where it is an ordinary
/// outcome is a return value.
/// </summary>
internal sealed class AzureBlobClient : IDisposable
{
    /// <summary>The Blob service version this client speaks (<c>x-ms-version</c>); Azure and Azurite 3.37 both serve it.</summary>
    public const string ServiceVersion = "2021-12-02";

    /// <summary>The service's own maximum for List Blobs.</summary>
    public const int MaxListResults = 5000;

    private const int MaxAttempts = 3;
    private const int MaxErrorBodyBytes = 16 * 1024;

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(200);
    private static readonly MediaTypeHeaderValue XmlContentType = new("application/xml");
    private static readonly XmlReaderSettings XmlSettings = new()
    {
        Async = true,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreWhitespace = true,
        IgnoreComments = true,
    };

    private readonly HttpClient _http;
    private readonly SharedKeyCredential _credential;
    private readonly string _containerUrl;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="handler">For tests that need answers a real service will not give; a pooled handler when null.</param>
    public AzureBlobClient(AzureStorageConnectionString account, string container, TimeProvider time, ILogger logger, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentException.ThrowIfNullOrEmpty(container);
        _credential = new SharedKeyCredential(account.AccountName, account.AccountKey);
        _containerUrl = $"{account.BlobEndpoint.GetLeftPart(UriPartial.Path).TrimEnd('/')}/{Uri.EscapeDataString(container)}";
        ContainerUri = new Uri(_containerUrl);
        _time = time;
        _logger = logger;
        _http = new HttpClient(handler ?? CreateHandler(), disposeHandler: true)
        {
            // Bounds each request up to its response headers; a download's body is read by the caller at its pace.
            Timeout = TimeSpan.FromSeconds(100),
        };
    }

    public Uri ContainerUri { get; }

    /// <summary>Create Container; false when it exists already.</summary>
    public async Task<bool> CreateContainerAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => Request(HttpMethod.Put, null, "restype=container"), HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Conflict && ErrorCodeOf(response) is "ContainerAlreadyExists" or null)
        {
            return false;
        }

        await EnsureSuccessAsync(response, "Create Container", cancellationToken);
        return true;
    }

    /// <summary>Put Block: stages <paramref name="data"/> as an uncommitted block of <paramref name="blob"/>.</summary>
    public async Task PutBlockAsync(string blob, string blockId, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var query = "comp=block&blockid=" + Uri.EscapeDataString(blockId);
        using var response = await SendAsync(
            () => Request(HttpMethod.Put, blob, query, new ReadOnlyMemoryContent(data)),
            HttpCompletionOption.ResponseContentRead,
            cancellationToken);
        await EnsureSuccessAsync(response, "Put Block", cancellationToken);
    }

    /// <summary>
    /// Put Block List: makes <paramref name="blockIds"/>, in order, the content of <paramref name="blob"/>, atomically
    /// replacing any earlier blob of that name; an empty list makes an empty blob.
    /// </summary>
    public async Task PutBlockListAsync(string blob, IReadOnlyList<string> blockIds, CancellationToken cancellationToken)
    {
        var body = new StringBuilder(64 + (blockIds.Count * 48)).Append("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        foreach (var id in blockIds)
        {
            // Block ids are base64: nothing in them needs escaping in XML.
            body.Append("<Latest>").Append(id).Append("</Latest>");
        }

        var bytes = Encoding.UTF8.GetBytes(body.Append("</BlockList>").ToString());
        using var response = await SendAsync(
            () =>
            {
                var content = new ByteArrayContent(bytes);
                content.Headers.ContentType = XmlContentType;
                return Request(HttpMethod.Put, blob, "comp=blocklist", content);
            },
            HttpCompletionOption.ResponseContentRead,
            cancellationToken);
        await EnsureSuccessAsync(response, "Put Block List", cancellationToken);
    }

    /// <summary>
    /// Get Blob of the bytes <paramref name="offset"/> to <paramref name="offset"/> + <paramref name="length"/> - 1
    /// (<paramref name="length"/> at least 1); the body is left unread for the caller to stream.
    /// </summary>
    public async Task<BlobRangeResult> GetBlobRangeAsync(string blob, long offset, long length, CancellationToken cancellationToken)
    {
        var range = string.Create(CultureInfo.InvariantCulture, $"bytes={offset}-{offset + length - 1}");
        var response = await SendAsync(
            () =>
            {
                var request = Request(HttpMethod.Get, blob, null);
                request.Headers.TryAddWithoutValidation("x-ms-range", range);
                return request;
            },
            HttpCompletionOption.ResponseHeadersRead,
            cancellationToken);
        try
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.NotFound:
                    response.Dispose();
                    return BlobRangeResult.NotFound;
                case HttpStatusCode.RequestedRangeNotSatisfiable:
                    response.Dispose();
                    return BlobRangeResult.OutsideTheBlob;
                case HttpStatusCode.PartialContent:
                    // The service cuts a range that runs past the end; the caller asked for all of it or nothing.
                    if (response.Content.Headers.ContentRange is not { Length: { } blobLength } || offset + length > blobLength)
                    {
                        response.Dispose();
                        return BlobRangeResult.OutsideTheBlob;
                    }

                    var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                    return new BlobRangeResult(BlobRangeStatus.Found, new BlobResponseStream(response, stream, length));
                default:
                    await EnsureSuccessAsync(response, "Get Blob", cancellationToken);
                    throw Unexpected(response, "Get Blob");
            }
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Get Blob Properties: the committed blob's length, or null when there is none.</summary>
    public async Task<long?> GetBlobLengthAsync(string blob, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => Request(HttpMethod.Head, blob, null), HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, "Get Blob Properties", cancellationToken);
        return response.Content.Headers.ContentLength ?? throw Unexpected(response, "Get Blob Properties");
    }

    /// <summary>Delete Blob; false when there was none to delete.</summary>
    public async Task<bool> DeleteBlobAsync(string blob, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => Request(HttpMethod.Delete, blob, null), HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await EnsureSuccessAsync(response, "Delete Blob", cancellationToken);
        return true;
    }

    /// <summary>
    /// List Blobs: one page of committed blobs (uncommitted ones are listed only on request, which this never makes)
    /// from <paramref name="marker"/>; an empty page with no marker when the container does not exist.
    /// </summary>
    public async Task<BlobListPage> ListBlobsAsync(string? marker, int maxResults, CancellationToken cancellationToken)
    {
        var query = string.Create(CultureInfo.InvariantCulture, $"restype=container&comp=list&maxresults={maxResults}");
        if (!string.IsNullOrEmpty(marker))
        {
            query += "&marker=" + Uri.EscapeDataString(marker);
        }

        using var response = await SendAsync(() => Request(HttpMethod.Get, null, query), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return new BlobListPage([], null);
        }

        await EnsureSuccessAsync(response, "List Blobs", cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        try
        {
            return await ParseListAsync(body, cancellationToken);
        }
        catch (Exception exception) when (exception is XmlException or FormatException)
        {
            throw new AzureBlobStorageException(
                $"List Blobs of {ContainerUri} answered with a body that is not a blob list: {exception.Message}",
                response.StatusCode,
                null,
                RequestIdOf(response),
                exception);
        }
    }

    public void Dispose() => _http.Dispose();

    private static SocketsHttpHandler CreateHandler() => new()
    {
        // Re-resolve the endpoint now and then: storage front ends move behind their DNS name.
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        ConnectTimeout = TimeSpan.FromSeconds(15),
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    };

    private HttpRequestMessage Request(HttpMethod method, string? blob, string? query, HttpContent? content = null)
    {
        var url = blob is null ? _containerUrl : $"{_containerUrl}/{Uri.EscapeDataString(blob)}";
        if (query is not null)
        {
            url += "?" + query;
        }

        return new HttpRequestMessage(method, new Uri(url)) { Content = content };
    }

    /// <summary>Dates, versions and signs a fresh request from <paramref name="create"/> per attempt, retrying transient failures.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        // One id for all attempts, so the service's logs tie them together.
        var clientRequestId = Guid.NewGuid().ToString();
        for (var attempt = 1; ; attempt++)
        {
            var request = create();
            request.Headers.TryAddWithoutValidation("x-ms-date", _time.GetUtcNow().ToString("R", CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation("x-ms-version", ServiceVersion);
            request.Headers.TryAddWithoutValidation("x-ms-client-request-id", clientRequestId);
            _credential.Sign(request);

            string reason;
            try
            {
                var response = await _http.SendAsync(request, completion, cancellationToken);
                // For error messages (a handler other than SocketsHttpHandler may leave it unset).
                response.RequestMessage ??= request;
                if (!IsTransient(response.StatusCode) || attempt == MaxAttempts)
                {
                    return response;
                }

                reason = $"{(int)response.StatusCode} {ErrorCodeOf(response)}";
                response.Dispose();
            }
            catch (Exception exception) when (IsTransient(exception, cancellationToken))
            {
                if (attempt == MaxAttempts)
                {
                    throw new AzureBlobStorageException(
                        $"{request.Method} {request.RequestUri!.AbsolutePath} got no answer from the Blob service after {MaxAttempts} attempts: {exception.Message}",
                        null,
                        null,
                        null,
                        exception);
                }

                reason = exception.Message;
            }
            finally
            {
                request.Dispose();
            }

            // 0.2 s, 0.8 s, with jitter so that nodes throttled together do not come back together.
            var delay = FirstRetryDelay * Math.Pow(4, attempt - 1) * (0.8 + (Random.Shared.NextDouble() * 0.4));
            AzureBlobLog.Retrying(_logger, request.Method.Method, request.RequestUri!.AbsolutePath, reason, attempt + 1, MaxAttempts, delay);
            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    // A connection failure, or HttpClient's own timeout (a cancellation the caller did not ask for).
    private static bool IsTransient(Exception exception, CancellationToken cancellationToken) =>
        exception is HttpRequestException || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var code = ErrorCodeOf(response);
        string? message = null;
        try
        {
            (var bodyCode, message) = await ReadErrorAsync(response, cancellationToken);
            code ??= bodyCode;
        }
        catch (Exception exception) when (exception is XmlException or IOException or HttpRequestException)
        {
            // The status and the header say enough.
        }

        var resource = response.RequestMessage?.RequestUri?.AbsolutePath ?? ContainerUri.AbsolutePath;
        var requestId = RequestIdOf(response);
        throw new AzureBlobStorageException(
            $"{operation} of {resource} failed: {(int)response.StatusCode} {code ?? response.ReasonPhrase}: {message ?? "(no message)"} (x-ms-request-id {requestId ?? "none"})",
            response.StatusCode,
            code,
            requestId);
    }

    /// <summary>The <c>Code</c> and first line of the <c>Message</c> of an error body, read no further than 16 KiB.</summary>
    private static async Task<(string? Code, string? Message)> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxErrorBodyBytes);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var filled = 0;
            int read;
            while (filled < MaxErrorBodyBytes && (read = await body.ReadAsync(buffer.AsMemory(filled, MaxErrorBodyBytes - filled), cancellationToken)) > 0)
            {
                filled += read;
            }

            if (filled == 0)
            {
                return (null, null);
            }

            string? code = null;
            string? message = null;
            using var reader = XmlReader.Create(new MemoryStream(buffer, 0, filled, writable: false), XmlSettings);
            // ReadElementContent moves past the element by itself: read on only when nothing was taken.
            await reader.MoveToContentAsync();
            while (!reader.EOF)
            {
                if (IsElement(reader, "Code", 1))
                {
                    code = await reader.ReadElementContentAsStringAsync();
                }
                else if (IsElement(reader, "Message", 1))
                {
                    // The service appends "RequestId:..." and "Time:..." lines; the request id is reported apart.
                    message = (await reader.ReadElementContentAsStringAsync()).Split('\n', 2)[0].Trim();
                }
                else
                {
                    await reader.ReadAsync();
                }
            }

            return (code, message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<BlobListPage> ParseListAsync(Stream body, CancellationToken cancellationToken)
    {
        var blobs = new List<BlobListItem>();
        string? nextMarker = null;
        using var reader = XmlReader.Create(body, XmlSettings);
        await reader.MoveToContentAsync();
        while (!reader.EOF)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (IsElement(reader, "Blob", 2))
            {
                blobs.Add(await ParseBlobAsync(reader.ReadSubtree()));
                // The subtree left the reader on </Blob>.
                await reader.ReadAsync();
            }
            else if (IsElement(reader, "NextMarker", 1))
            {
                nextMarker = await reader.ReadElementContentAsStringAsync();
            }
            else
            {
                await reader.ReadAsync();
            }
        }

        return new BlobListPage(blobs, string.IsNullOrEmpty(nextMarker) ? null : nextMarker);
    }

    private static async Task<BlobListItem> ParseBlobAsync(XmlReader blob)
    {
        using (blob)
        {
            string? name = null;
            var encoded = false;
            DateTimeOffset? lastModified = null;
            await blob.MoveToContentAsync();
            while (!blob.EOF)
            {
                if (IsElement(blob, "Name", 1))
                {
                    // Names with characters XML cannot carry come percent-encoded and flagged; never one of our keys.
                    encoded = blob.GetAttribute("Encoded") == "true";
                    name = await blob.ReadElementContentAsStringAsync();
                }
                else if (IsElement(blob, "Last-Modified", 2))
                {
                    lastModified = DateTimeOffset.ParseExact(
                        await blob.ReadElementContentAsStringAsync(), "R", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                }
                else
                {
                    await blob.ReadAsync();
                }
            }

            if (name is null || lastModified is null)
            {
                throw new FormatException("a <Blob> lacks its <Name> or <Last-Modified>");
            }

            return new BlobListItem(encoded ? null : name, lastModified.Value);
        }
    }

    private static bool IsElement(XmlReader reader, string name, int depth) =>
        reader.NodeType == XmlNodeType.Element && reader.Depth == depth && reader.LocalName == name;

    private static string? ErrorCodeOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-ms-error-code", out var values) ? values.FirstOrDefault() : null;

    private static string? RequestIdOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-ms-request-id", out var values) ? values.FirstOrDefault() : null;

    private static AzureBlobStorageException Unexpected(HttpResponseMessage response, string operation) =>
        new(
            $"{operation} answered {(int)response.StatusCode} without what the protocol promises (x-ms-request-id {RequestIdOf(response) ?? "none"})",
            response.StatusCode,
            ErrorCodeOf(response),
            RequestIdOf(response));
}
