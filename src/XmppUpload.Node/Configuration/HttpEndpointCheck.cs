namespace XmppUpload.Node.Configuration;

/// <summary>
/// Refuses to start without an explicitly configured listener, so that the node never falls back to ASP.NET Core's
/// default plain-HTTP port: HTTPS comes from a configured certificate, plain HTTP only when asked for.
/// </summary>
internal static class HttpEndpointCheck
{
    public const string Message =
        "No HTTP endpoint is configured: set Kestrel:Endpoints:Https:Url with Kestrel:Endpoints:Https:Certificate:Path "
        + "(and :KeyPath), or Kestrel:Endpoints:Http:Url behind a TLS-terminating proxy.";

    public static bool HasListener(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren();
        return endpoints.Any(e => !string.IsNullOrWhiteSpace(e["Url"]))
            || !string.IsNullOrWhiteSpace(configuration["urls"])
            || !string.IsNullOrWhiteSpace(configuration["http_ports"])
            || !string.IsNullOrWhiteSpace(configuration["https_ports"]);
    }
}
