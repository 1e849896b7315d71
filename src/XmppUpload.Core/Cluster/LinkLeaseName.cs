using System.Globalization;

namespace XmppUpload.Core.Cluster;

/// <summary>
/// The name of the component link lease: the component domain and the XMPP server's component address, so that one
/// node holds the link per (server, component) pair. Every node of a cluster must spell <c>Xmpp:Server</c> alike.
/// </summary>
public static class LinkLeaseName
{
    public static string For(string server, string domain)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(server);
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"xmpp-component:{domain.Trim().TrimEnd('.').ToLowerInvariant()}@{server.Trim().ToLowerInvariant()}");
    }
}
