using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace XmppUpload.ServiceDefaults.Telemetry;

/// <summary>
/// Gives ASP.NET Core's request span (source <c>Microsoft.AspNetCore</c>) the name and attributes of the HTTP
/// semantic conventions, which the instrumentation package would add and which is not available here: the span is
/// named "{method} {route}", carries method, path, scheme, route and status, and is an error for a 5xx answer. Health
/// probes are not recorded.
/// </summary>
internal sealed class RequestTelemetryMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var activity = Activity.Current;
        if (activity is null || !activity.IsAllDataRequested || activity.Source.Name != "Microsoft.AspNetCore")
        {
            await next(context);
            return;
        }

        var request = context.Request;
        if (request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
        {
            // A balancer probes every few seconds; its requests (and the ledger and blob-store probes under them) would
            // bury the traces operators look for, so they are not recorded. They still count in the metrics.
            activity.IsAllDataRequested = false;
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            await next(context);
            return;
        }

        activity.SetTag("http.request.method", request.Method);
        activity.SetTag("url.path", request.Path.Value);
        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("network.protocol.version", request.Protocol.StartsWith("HTTP/", StringComparison.Ordinal) ? request.Protocol[5..] : request.Protocol);
        if (request.Headers.UserAgent.Count > 0)
        {
            activity.SetTag("user_agent.original", request.Headers.UserAgent.ToString());
        }

        try
        {
            await next(context);
        }
        finally
        {
            var status = context.Response.StatusCode;
            activity.SetTag("http.response.status_code", status);
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
            if (route is not null)
            {
                activity.SetTag("http.route", route);
            }

            activity.DisplayName = route is null ? request.Method : $"{request.Method} {route}";
            if (status >= 500)
            {
                activity.SetTag("error.type", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }
    }
}

/// <summary>Puts <see cref="RequestTelemetryMiddleware"/> first in the pipeline, so that every answer is described.</summary>
internal sealed class RequestTelemetryStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<RequestTelemetryMiddleware>();
        next(app);
    };
}
