using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.Dav;
using XmppUpload.Core.Ports;
using XmppUpload.Http.Diagnostics;
using XmppUpload.Http.Upload;

namespace XmppUpload.Http.Dav;

/// <summary>
/// The WebDAV class 1 endpoint (RFC 4918) with the access rules of XEP-0129: the path is decoded and checked, the
/// target (and its parent, for creation) looked up, the request authenticated with a decision computed from them,
/// and then the method runs against <see cref="IDavStore"/> and <see cref="IBlobStore"/>.
/// </summary>
internal sealed partial class DavRequestHandler(
    IDavStore store,
    IBlobStore blobs,
    IDavAuthenticator authenticator,
    IOptions<WebDavOptions> options,
    TimeProvider time,
    ILogger<DavRequestHandler> logger,
    HttpTelemetry? telemetry = null)
{
    /// <summary>The <see cref="HttpTelemetry.ProtocolTag"/> of WebDAV transfers.</summary>
    public const string Protocol = "webdav";

    public const string AllowedMethods = "OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, COPY, MOVE, PROPFIND, PROPPATCH";

    private readonly WebDavOptions _options = options.Value;
    private readonly string _prefix = WebDavEndpoints.NormalizePrefix(options.Value.Path);

    public async Task HandleAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        // Files are other people's content served from this origin; keep it from acting in it.
        headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        try
        {
            if (!DavRequestPath.TryRead(context, _prefix, out var path, out var reason))
            {
                await RefuseAsync(context, "/", StatusCodes.Status400BadRequest, reason);
                return;
            }

            var method = context.Request.Method;
            switch (method)
            {
                case "OPTIONS":
                    await OptionsAsync(context, path);
                    break;
                case "GET":
                case "HEAD":
                    await (telemetry is null ? GetAsync(context, path) : telemetry.MeasureAsync(context, Protocol, isPut: false, () => GetAsync(context, path)));
                    break;
                case "PUT":
                    await (telemetry is null ? PutAsync(context, path) : telemetry.MeasureAsync(context, Protocol, isPut: true, () => PutAsync(context, path)));
                    break;
                case "DELETE":
                    await DeleteAsync(context, path);
                    break;
                case "MKCOL":
                    await MkcolAsync(context, path);
                    break;
                case "COPY":
                case "MOVE":
                    await TransferAsync(context, path, isMove: method == "MOVE");
                    break;
                case "PROPFIND":
                    await PropFindAsync(context, path);
                    break;
                case "PROPPATCH":
                    await PropPatchAsync(context, path);
                    break;
                default:
                    headers.Allow = AllowedMethods;
                    await RefuseAsync(context, path.Path, StatusCodes.Status405MethodNotAllowed,
                        $"{PlainText.Quote(method)} is not supported; this is a WebDAV class 1 server ({AllowedMethods})");
                    break;
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
    }

    private async Task OptionsAsync(HttpContext context, DavRequestPath path)
    {
        if (await AuthenticateAsync(context, _ => DavAccess.Allowed) is null)
        {
            return;
        }

        var headers = context.Response.Headers;
        headers.Allow = AllowedMethods;
        headers["DAV"] = "1";
        headers["MS-Author-Via"] = "DAV";
        headers.CacheControl = "no-store";
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
        _ = path;
    }

    /// <summary>Authenticates with <paramref name="decide"/>; <c>null</c> when the authenticator has answered already.</summary>
    private async Task<Jid?> AuthenticateAsync(HttpContext context, Func<Jid, DavAccess> decide)
    {
        var result = await authenticator.AuthenticateAsync(context, decide, context.RequestAborted);
        return result.Jid;
    }

    private static Func<Jid, DavAccess> Decide(Func<Jid, bool> rule) => jid => rule(jid) ? DavAccess.Allowed : DavAccess.Forbidden;

    private string Href(string path, bool isCollection) => DavHrefs.For(_prefix, path, isCollection);

    private string Href(DavResource resource) => Href(resource.Path, resource.IsCollection);

    private Task RefuseAsync(HttpContext context, string path, int status, string reason)
    {
        DavLog.Refused(logger, context.Request.Method, path, status, reason);
        return PlainText.WriteAsync(context, status, reason);
    }

    /// <summary>Blobs go after the store has forgotten them: a failure here leaves an unreferenced blob, never a broken file.</summary>
    private async Task DeleteBlobsAsync(IReadOnlyList<string> keys)
    {
        foreach (var key in keys)
        {
            try
            {
                await blobs.DeleteAsync(key, CancellationToken.None);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                DavLog.BlobNotDeleted(logger, key, exception);
            }
        }
    }

    private static string NewBlobKey() => "dav" + RandomNumberGenerator.GetHexString(32, lowercase: true);

    private static string Quoted(string etag) => "\"" + etag + "\"";
}
