using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry.Logs;
using XmppUpload.ServiceDefaults.Telemetry;

namespace XmppUpload.ServiceDefaults;

/// <summary>The conventions every XmppUpload host shares, in the shape Aspire's service-defaults template gives them.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Checks tagged with this take part in readiness; every other check is only reported.</summary>
    public const string ReadyTag = "ready";

    public const string LivePath = "/health/live";

    public const string ReadyPath = "/health/ready";

    /// <summary>
    /// OpenTelemetry traces, metrics and logs exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (see
    /// <see cref="TelemetrySettings"/>), console logs that carry the trace and span of each line, and health checks.
    /// Call it first, so that telemetry starts before every other service.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureOpenTelemetry();
        builder.Services.AddHealthChecks();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = TelemetrySettings.From(builder.Configuration);

        // Every line logged inside a request or a stanza's span carries its trace id and span id, on the console (a
        // scope, shown unless Logging:Console:FormatterOptions:IncludeScopes is false; Logging:Console:FormatterName=json
        // writes JSON) and over OTLP (the log record's trace context).
        builder.Logging.Configure(options => options.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (builder.Configuration["Logging:Console:FormatterOptions:IncludeScopes"] is null)
        {
            builder.Services.Configure<SimpleConsoleFormatterOptions>(options => options.IncludeScopes = true);
            builder.Services.Configure<JsonConsoleFormatterOptions>(options => options.IncludeScopes = true);
        }
        if (settings.Export)
        {
            builder.Logging.AddOpenTelemetry(options =>
            {
                options.SetResourceBuilder(TelemetryProviders.Resource(settings));
                options.IncludeFormattedMessage = true;
                options.IncludeScopes = true;
                options.AddOtlpExporter();
            });
        }

        builder.Services.AddSingleton(settings);
        builder.Services.AddTransient<Microsoft.AspNetCore.Hosting.IStartupFilter, RequestTelemetryStartupFilter>();
        builder.Services.AddSingleton<TelemetryProviders>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<TelemetryProviders>());
        return builder;
    }

    /// <summary>
    /// Maps <c>/health/live</c> (the process answers) and <c>/health/ready</c> (every "ready" check passes; in JSON with
    /// each check's details when asked for <c>application/json</c>, see <see cref="HealthResponses"/>).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = HealthResponses.WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }
}
