namespace XmppUpload.Testing;

/// <summary>What <see cref="EjabberdServer.StartAsync"/> sets up; every property has a working default.</summary>
public sealed class EjabberdOptions
{
    /// <summary>The host; "localhost" by default.</summary>
    public string Domain { get; init; } = "localhost";

    /// <summary>The ejabberd_service host; "upload.{Domain}" when not set.</summary>
    public string? ComponentDomain { get; init; }

    /// <summary>The ejabberd_service password; a random one when not set.</summary>
    public string? ComponentSecret { get; init; }

    /// <summary>Accounts (user name to password) registered once the node is up.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();

    /// <summary>Certificates to present (e.g. shared with the upload node); new ones for Domain when not set.</summary>
    public TestCertificates? Certificates { get; init; }

    /// <summary>ejabberd loglevel: none, emergency, alert, critical, error, warning, notice, info, debug.</summary>
    public string LogLevel { get; init; } = "info";

    /// <summary>Raw top-level YAML appended to ejabberd.yml (keys must not repeat the template's).</summary>
    public string ExtraConfig { get; init; } = "";

    /// <summary>
    /// Raw YAML items appended to the template's <c>listen:</c> list, each starting with "  -" (e.g. an
    /// <c>ejabberd_http</c> listener); ExtraConfig cannot hold them, as the key may appear only once.
    /// </summary>
    public string ExtraListeners { get; init; } = "";

    /// <summary>How long to wait for the node to start and its c2s and component ports.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
