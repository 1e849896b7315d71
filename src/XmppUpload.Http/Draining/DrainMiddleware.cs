using Microsoft.AspNetCore.Http;
using XmppUpload.Core.Lifecycle;

namespace XmppUpload.Http.Draining;

/// <summary>
/// Counts every request that may write (anything but GET, HEAD, OPTIONS and PROPFIND) into <see cref="NodeDrain"/>,
/// and once the node drains answers new ones 503 with a reason and Retry-After, so that uploads already streaming
/// finish while a balancer or the client takes the next one elsewhere. Reads are still served until the node stops.
/// </summary>
internal sealed class DrainMiddleware(RequestDelegate next, NodeDrain drain)
{
    // A client that retries after this finds another node (or this one restarted).
    private const string RetryAfterSeconds = "5";

    public async Task InvokeAsync(HttpContext context)
    {
        if (!Writes(context.Request.Method))
        {
            await next(context);
            return;
        }

        if (!drain.TryEnterWrite())
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            context.Response.Headers.Connection = "close";
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("this node is shutting down; retry the request\n", context.RequestAborted);
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            drain.ExitWrite();
        }
    }

    private static bool Writes(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || method == "PROPFIND");
}
