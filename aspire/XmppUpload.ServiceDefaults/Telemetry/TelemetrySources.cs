namespace XmppUpload.ServiceDefaults.Telemetry;

/// <summary>
/// The activity sources and meters a node exports, by name: its own (every component names them
/// <c>XmppUpload.&lt;Component&gt;</c>) and those .NET and its libraries emit without instrumentation packages.
/// </summary>
public static class TelemetrySources
{
    /// <summary>The prefix of every activity source and meter of the service.</summary>
    public const string ServicePrefix = "XmppUpload";

    /// <summary>
    /// Spans: the service's own; ASP.NET Core's request activity (its source is <c>Microsoft.AspNetCore</c>);
    /// outgoing HTTP (the S3 and Azure Blob clients); Npgsql's commands.
    /// </summary>
    public static IReadOnlyList<string> ActivitySources { get; } =
    [
        ServicePrefix + ".*",
        "Microsoft.AspNetCore",
        "System.Net.Http",
        "Npgsql",
    ];

    /// <summary>
    /// Metrics: the service's own; ASP.NET Core hosting (http.server.request.duration, active requests), Kestrel
    /// (connections, TLS handshakes), outgoing HTTP (http.client.*), the runtime (GC, thread pool, CPU) and Npgsql's
    /// connection pool and command metrics.
    /// </summary>
    public static IReadOnlyList<string> Meters { get; } =
    [
        ServicePrefix + ".*",
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Diagnostics",
        "System.Net.Http",
        "System.Net.NameResolution",
        "System.Runtime",
        "Npgsql",
    ];
}
