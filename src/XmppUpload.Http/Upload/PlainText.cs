using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace XmppUpload.Http.Upload;

/// <summary>Answers with a status and a one-line reason, e.g. <c>403 Forbidden: the upload token has expired</c>.</summary>
internal static class PlainText
{
    public static Task WriteAsync(HttpContext context, int status, string reason)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return Task.CompletedTask;
        }

        response.StatusCode = status;
        // Refusals depend on the moment (deadlines, uploads in progress); no cache may keep them.
        response.Headers.CacheControl = "no-store";
        response.ContentType = "text/plain; charset=utf-8";
        var body = Encoding.UTF8.GetBytes($"{status} {ReasonPhrases.GetReasonPhrase(status)}: {reason}\n");
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>Shortens a client-supplied value before it is echoed in a reason.</summary>
    public static string Quote(string? value)
    {
        if (value is null)
        {
            return "(none)";
        }

        var shortened = value.Length <= 100 ? value : value[..100] + "...";
        return "'" + shortened + "'";
    }
}
