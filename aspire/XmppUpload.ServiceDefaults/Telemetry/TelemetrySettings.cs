using Microsoft.Extensions.Configuration;

namespace XmppUpload.ServiceDefaults.Telemetry;

/// <summary>
/// What the node exports and as whom, from the standard OpenTelemetry variables (read through configuration, so
/// environment variables, appsettings and the command line all work): nothing is exported unless
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
internal sealed record TelemetrySettings(bool Export, string ServiceName, string ServiceInstanceId)
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public const string ServiceNameKey = "OTEL_SERVICE_NAME";

    public const string DefaultServiceName = "xmppupload";

    /// <summary>The key that names this node to its telemetry when the resource attributes do not.</summary>
    public const string InstanceIdKey = "Node:InstanceId";

    // A cluster node already has a name unique in the cluster and stable across its restarts.
    private const string LedgerNodeIdKey = "Ledger:NodeId";

    public static TelemetrySettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var export = !string.IsNullOrWhiteSpace(configuration[EndpointKey]);
        var serviceName = NonEmpty(configuration[ServiceNameKey]) ?? DefaultServiceName;

        // service.instance.id must stay the same across restarts of one node and differ between nodes, so that a
        // dashboard shows one line per node rather than one per process start (the SDK's default is a new GUID).
        var instanceId = NonEmpty(configuration[InstanceIdKey])
            ?? NonEmpty(configuration[LedgerNodeIdKey])
            ?? Environment.MachineName;
        return new TelemetrySettings(export, serviceName, instanceId);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
