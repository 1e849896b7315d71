namespace XmppUpload.Xmpp.Configuration;

/// <summary>How the service attaches to its XMPP server as an XEP-0114 component (configuration section <c>Xmpp</c>).</summary>
public sealed class XmppOptions
{
    public const string SectionName = "Xmpp";

    public const int DefaultMaxStanzaSize = 256 * 1024;

    /// <summary>The server's component port as <c>host:port</c> (IPv6 literals in brackets: <c>[::1]:5347</c>).</summary>
    public string Server { get; set; } = "127.0.0.1:5347";

    /// <summary>The component's address, as configured on the XMPP server; stanzas to it reach this service.</summary>
    public string Domain { get; set; } = "upload.localhost";

    /// <summary>The shared secret of the component (XEP-0114 section 3).</summary>
    public string? Secret { get; set; }

    /// <summary>
    /// Domains whose accounts may upload. Empty means the parent domain of <see cref="Domain"/>
    /// (<c>upload.example.org</c> serves <c>example.org</c>); see <see cref="GetServedDomains"/>.
    /// </summary>
    public IList<string> ServedDomains { get; set; } = [];

    /// <summary>Interval of the whitespace keepalive (RFC 6120 section 4.6.1) while nothing else is written.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest stanza accepted from the server, in bytes; a larger one ends the stream with <c>policy-violation</c>.</summary>
    public int MaxStanzaSize { get; set; } = DefaultMaxStanzaSize;

    /// <summary>How many stanzas are handled at once; the read loop waits for a free handler beyond this.</summary>
    public int MaxConcurrentHandlers { get; set; } = 32;

    /// <summary>How long connecting and the handshake may take, and how long one write may stall.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an IQ sent by this service waits for its response by default.</summary>
    public TimeSpan IqTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First delay before reconnecting; it doubles with each failed attempt up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether XEP-0092 answers include the operating system (off by default: it helps attackers more than users).</summary>
    public bool ReportOperatingSystem { get; set; }

    /// <summary>The domains whose accounts may upload: <see cref="ServedDomains"/>, or the parent of <see cref="Domain"/>.</summary>
    public IReadOnlyList<string> GetServedDomains()
    {
        var configured = ServedDomains
            .Where(d => !string.IsNullOrWhiteSpace(d))
            .Select(NormalizeDomain)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        if (configured.Length > 0)
        {
            return configured;
        }

        var parent = ParentDomain(Domain);
        return parent is null ? [] : [parent];
    }

    internal static string? ParentDomain(string? domain)
    {
        if (string.IsNullOrWhiteSpace(domain))
        {
            return null;
        }

        var normalized = NormalizeDomain(domain);
        var dot = normalized.IndexOf('.', StringComparison.Ordinal);
        return dot <= 0 || dot == normalized.Length - 1 ? null : normalized[(dot + 1)..];
    }

    internal static string NormalizeDomain(string domain) => domain.Trim().TrimEnd('.').ToLowerInvariant();
}
