namespace XmppUpload.Testing;

/// <summary>What <see cref="ProsodyServer.StartAsync"/> sets up; every property has a working default.</summary>
public sealed class ProsodyOptions
{
    /// <summary>The VirtualHost; "localhost" by default.</summary>
    public string Domain { get; init; } = "localhost";

    /// <summary>The Component's domain; "upload.{Domain}" when not set.</summary>
    public string? ComponentDomain { get; init; }

    /// <summary>The component_secret; a random one when not set.</summary>
    public string? ComponentSecret { get; init; }

    /// <summary>Accounts (user name to password) created before the server starts.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();

    /// <summary>Certificates to present (e.g. shared with the upload node); new ones for Domain when not set.</summary>
    public TestCertificates? Certificates { get; init; }

    /// <summary>Minimum console log level: debug, info, warn, error.</summary>
    public string LogLevel { get; init; } = "info";

    /// <summary>Raw Lua appended to the global section.</summary>
    public string ExtraGlobalConfig { get; init; } = "";

    /// <summary>Raw Lua appended to the VirtualHost section (e.g. disco_items).</summary>
    public string ExtraVirtualHostConfig { get; init; } = "";

    /// <summary>How long to wait for the c2s and component ports.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
