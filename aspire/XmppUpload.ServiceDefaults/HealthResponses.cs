using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Net.Http.Headers;

namespace XmppUpload.ServiceDefaults;

/// <summary>
/// Writes a health report: its status as plain text (<c>Healthy</c>, <c>Degraded</c>, <c>Unhealthy</c>), which load
/// balancers match on, or, for a client that accepts <c>application/json</c>, the status with every check's status,
/// description and data, for an operator (for example which node holds the component link).
/// </summary>
public static class HealthResponses
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(report);
        if (!AcceptsJson(context.Request))
        {
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync(report.Status.ToString(), context.RequestAborted);
        }

        context.Response.ContentType = "application/json";
        return WriteJsonAsync(context.Response, report, context.RequestAborted);
    }

    private static bool AcceptsJson(HttpRequest request) =>
        MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)
        && accepted.Any(type => type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));

    private static async Task WriteJsonAsync(HttpResponse response, HealthReport report, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            if (entry.Description is not null)
            {
                json.WriteString("description", entry.Description);
            }

            if (entry.Data.Count > 0)
            {
                json.WriteStartObject("data");
                foreach (var (key, value) in entry.Data)
                {
                    switch (value)
                    {
                        case bool flag:
                            json.WriteBoolean(key, flag);
                            break;
                        case int or long or double:
                            json.WriteNumber(key, Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture));
                            break;
                        default:
                            json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                            break;
                    }
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
    }
}
