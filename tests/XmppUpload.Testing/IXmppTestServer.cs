namespace XmppUpload.Testing;

/// <summary>
/// A private XMPP server (Prosody or ejabberd) started for a test: one virtual host, c2s with STARTTLS on a free
/// loopback port, and an XEP-0114 component listener for the upload service. Disposing stops it and deletes its
/// directory.
/// </summary>
public interface IXmppTestServer : IAsyncDisposable
{
    /// <summary>"prosody" or "ejabberd", for test names and messages.</summary>
    string Kind { get; }

    /// <summary>The virtual host, e.g. "localhost"; user JIDs are user@Domain.</summary>
    string Domain { get; }

    /// <summary>c2s port on 127.0.0.1 (STARTTLS required).</summary>
    int ClientPort { get; }

    /// <summary>The component's domain, e.g. "upload.localhost"; listed in the Domain's disco#items.</summary>
    string ComponentDomain { get; }

    /// <summary>XEP-0114 listener on 127.0.0.1.</summary>
    int ComponentPort { get; }

    /// <summary>The XEP-0114 handshake secret.</summary>
    string ComponentSecret { get; }

    /// <summary>The certificates the server presents; clients trust <see cref="CaCertificatePath"/>.</summary>
    TestCertificates Certificates { get; }

    /// <summary>PEM file of the CA that signed the server certificate.</summary>
    string CaCertificatePath { get; }

    /// <summary>The server's own temporary directory (config, data, logs).</summary>
    string Directory { get; }

    /// <summary>The server's console output so far, for failure messages.</summary>
    string Output { get; }

    /// <summary>The running server process: its pid and output, e.g. to wait for a log line of its own.</summary>
    ExternalProcess Process { get; }

    /// <summary>Creates an account user@Domain with the given password.</summary>
    Task RegisterUserAsync(string user, string password, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until the server has logged its <paramref name="count"/>-th successful component handshake for
    /// <see cref="ComponentDomain"/> since it started (needs LogLevel info or lower). Prosody logs once the component
    /// is routable; ejabberd 23.01 logs just before it registers the route, so a client that starts afterwards is
    /// practically, not strictly, sure to be routed; the component's own "handshake accepted" is the exact signal.
    /// </summary>
    /// <returns>The log line.</returns>
    Task<string> WaitForComponentAuthenticatedAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default);
}
