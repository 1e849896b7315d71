using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace XmppUpload.Storage.Tests.S3;

/// <summary>
/// A scripted S3 endpoint on a real socket, for the calls s3rver 3.7.1 does not implement: ListMultipartUploads (two
/// pages of uploads given by the test) and AbortMultipartUpload, plus enough multipart upload to start one. Every
/// request is recorded as "METHOD /path?query".
/// </summary>
internal sealed class FakeS3Service : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeS3Service(WebApplication app) => _app = app;

    /// <summary>Uploads listed on the first page (truncated) and the second; each is (key, upload id, initiated).</summary>
    public List<(string Key, string UploadId, DateTimeOffset Initiated)> FirstPage { get; } = [];

    public List<(string Key, string UploadId, DateTimeOffset Initiated)> SecondPage { get; } = [];

    /// <summary>Upload ids whose abort answers 404 NoSuchUpload, as when another node aborted it first.</summary>
    public HashSet<string> GoneUploads { get; } = [];

    public ConcurrentQueue<string> Requests { get; } = new();

    public string ServiceUrl { get; private set; } = string.Empty;

    public static async Task<FakeS3Service> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var service = new FakeS3Service(app);
        app.Run(service.HandleAsync);
        await app.StartAsync(cancellationToken);
        service.ServiceUrl = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return service;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        Requests.Enqueue($"{request.Method} {request.Path}{request.QueryString}");
        // Read the body whatever it is, so the client never sees a reset connection.
        await request.Body.CopyToAsync(Stream.Null, context.RequestAborted);

        var query = request.Query;
        var response = context.Response;
        switch (request.Method)
        {
            case "GET" when query.ContainsKey("uploads"):
                var second = query.ContainsKey("key-marker");
                await WriteXmlAsync(response, ListUploads(second ? SecondPage : FirstPage, truncated: !second));
                break;
            case "DELETE" when query.TryGetValue("uploadId", out var uploadId):
                if (GoneUploads.Contains(uploadId!))
                {
                    response.StatusCode = StatusCodes.Status404NotFound;
                    await WriteXmlAsync(response, "<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>");
                }
                else
                {
                    response.StatusCode = StatusCodes.Status204NoContent;
                }

                break;
            case "POST" when query.ContainsKey("uploads"):
                await WriteXmlAsync(response, $"<InitiateMultipartUploadResult><Bucket>uploads</Bucket><Key>{request.Path.Value!.Split('/', 3)[2]}</Key><UploadId>fake-upload</UploadId></InitiateMultipartUploadResult>");
                break;
            case "PUT" when query.ContainsKey("partNumber"):
                response.Headers.ETag = $"\"part-{query["partNumber"]}\"";
                break;
            default:
                response.StatusCode = StatusCodes.Status501NotImplemented;
                await WriteXmlAsync(response, "<Error><Code>NotImplemented</Code><Message>Not scripted.</Message></Error>");
                break;
        }
    }

    private static string ListUploads(List<(string Key, string UploadId, DateTimeOffset Initiated)> uploads, bool truncated)
    {
        var last = uploads.LastOrDefault();
        var entries = string.Concat(uploads.Select(u =>
            $"<Upload><Key>{u.Key}</Key><UploadId>{u.UploadId}</UploadId><Initiated>{u.Initiated.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}</Initiated><StorageClass>STANDARD</StorageClass></Upload>"));
        return "<ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>uploads</Bucket>"
            + $"<NextKeyMarker>{last.Key}</NextKeyMarker><NextUploadIdMarker>{last.UploadId}</NextUploadIdMarker>"
            + $"<MaxUploads>1000</MaxUploads><IsTruncated>{(truncated ? "true" : "false")}</IsTruncated>{entries}</ListMultipartUploadsResult>";
    }

    private static async Task WriteXmlAsync(HttpResponse response, string xml)
    {
        response.ContentType = "application/xml";
        await response.WriteAsync("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + xml);
    }
}
