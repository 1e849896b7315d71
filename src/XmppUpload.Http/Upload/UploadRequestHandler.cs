using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using XmppUpload.Http.Diagnostics;

namespace XmppUpload.Http.Upload;

/// <summary>
/// The one request delegate of <c>{base}/{slot id}/{file name}</c>: CORS and security headers on every answer, then
/// OPTIONS, PUT, GET and HEAD; other methods get 405.
/// </summary>
internal sealed class UploadRequestHandler(PutHandler put, GetHandler get, IOptions<HttpOptions> options, HttpTelemetry? telemetry = null)
{
    /// <summary>The <see cref="HttpTelemetry.ProtocolTag"/> of XEP-0363 transfers.</summary>
    public const string Protocol = "xep-0363";

    public const string SlotIdRouteValue = "slotId";
    public const string FileNameRouteValue = "fileName";

    private readonly CorsPolicy _cors = new(options.Value.CorsAllowedOrigins);

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var headers = context.Response.Headers;
        _cors.Apply(request, headers);

        // XEP-0363 section 11: keep whatever a user uploads from acting in the service's origin.
        headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";

        try
        {
            var method = request.Method;
            if (HttpMethods.IsOptions(method))
            {
                // A preflight carries no credentials, so it is answered without a token and without a lookup.
                CorsPolicy.ApplyPreflight(headers);
                headers.Allow = CorsPolicy.AllowedMethods;
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }

            var isPut = HttpMethods.IsPut(method);
            if (!isPut && !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
            {
                headers.Allow = CorsPolicy.AllowedMethods;
                await PlainText.WriteAsync(context, StatusCodes.Status405MethodNotAllowed,
                    $"{PlainText.Quote(method)} is not allowed here; use {CorsPolicy.AllowedMethods}");
                return;
            }

            if (!UploadPath.TryRead(context, out var path))
            {
                await PlainText.WriteAsync(context, StatusCodes.Status404NotFound, "there is no slot at this URL");
                return;
            }

            Activity.Current?.SetTag("xmppupload.slot.id", path.SlotId);
            if (telemetry is null)
            {
                await (isPut ? put.HandleAsync(context, path) : get.HandleAsync(context, path));
            }
            else
            {
                await telemetry.MeasureAsync(context, Protocol, isPut, () => isPut ? put.HandleAsync(context, path) : get.HandleAsync(context, path));
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
    }
}
