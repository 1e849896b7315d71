using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace XmppUpload.Testing;

/// <summary>
/// A throwaway certificate authority and one server certificate it signed, written as files that Prosody
/// (OpenSSL), ejabberd (Erlang), slixmpp (Python ssl), go-sendxmpp (Go crypto/tls) and Kestrel all accept.
/// Clients trust <see cref="CaCertificatePath"/>; servers present the server certificate.
/// </summary>
public sealed class TestCertificates
{
    private TestCertificates(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    /// <summary>PEM of the CA certificate: what clients trust (python --ca-file, SSL_CERT_FILE for Go).</summary>
    public string CaCertificatePath => Path.Combine(Directory, "ca.crt");

    /// <summary>PEM of the server certificate alone.</summary>
    public string ServerCertificatePath => Path.Combine(Directory, "server.crt");

    /// <summary>PEM of the server's private key (SEC 1 "EC PRIVATE KEY").</summary>
    public string ServerKeyPath => Path.Combine(Directory, "server.key");

    /// <summary>PEM with the server certificate followed by its key, as ejabberd's certfiles expects.</summary>
    public string ServerBundlePath => Path.Combine(Directory, "server.pem");

    /// <summary>PKCS#12 with the server certificate and key, no password (for Kestrel).</summary>
    public string ServerPfxPath => Path.Combine(Directory, "server.pfx");

    /// <summary>The DNS names the server certificate is valid for (127.0.0.1 and ::1 are always included).</summary>
    public IReadOnlyList<string> DnsNames { get; private init; } = [];

    /// <summary>
    /// Creates the CA and a server certificate for <paramref name="dnsNames"/> plus 127.0.0.1 and ::1, writing the
    /// files into <paramref name="directory"/> (created if missing). ECDSA P-256 keeps this to a few milliseconds.
    /// </summary>
    public static TestCertificates Create(string directory, params IEnumerable<string> dnsNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var names = dnsNames.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (names.Length == 0)
        {
            throw new ArgumentException("At least one DNS name is needed.", nameof(dnsNames));
        }

        System.IO.Directory.CreateDirectory(directory);
        var result = new TestCertificates(directory) { DnsNames = names };
        var notBefore = DateTimeOffset.UtcNow.AddDays(-1);
        var notAfter = DateTimeOffset.UtcNow.AddDays(30);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=XmppUpload Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest($"CN={names[0]}", serverKey, HashAlgorithmName.SHA256);
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(serverRequest.PublicKey, false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var alternativeNames = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            alternativeNames.AddDnsName(name);
        }

        alternativeNames.AddIpAddress(IPAddress.Loopback);
        alternativeNames.AddIpAddress(IPAddress.IPv6Loopback);
        serverRequest.CertificateExtensions.Add(alternativeNames.Build());
        using var server = serverRequest.Create(ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        using var serverWithKey = server.CopyWithPrivateKey(serverKey);

        var serverPem = server.ExportCertificatePem() + "\n";
        var keyPem = serverKey.ExportECPrivateKeyPem() + "\n";
        File.WriteAllText(result.CaCertificatePath, ca.ExportCertificatePem() + "\n");
        File.WriteAllText(result.ServerCertificatePath, serverPem);
        File.WriteAllText(result.ServerKeyPath, keyPem);
        File.WriteAllText(result.ServerBundlePath, serverPem + keyPem);
        File.WriteAllBytes(result.ServerPfxPath, serverWithKey.Export(X509ContentType.Pkcs12));
        return result;
    }

    /// <summary>Loads the server certificate with its private key, e.g. for Kestrel's HTTPS.</summary>
    public X509Certificate2 LoadServerCertificate() => X509CertificateLoader.LoadPkcs12FromFile(ServerPfxPath, password: null);
}
