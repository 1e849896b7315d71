using System.Globalization;
using System.Security.Cryptography;

namespace XmppUpload.Testing;

/// <summary>
/// A private Prosody (Debian's /usr/bin/prosody) in a temporary directory, configured from
/// infra/prosody/prosody.test.cfg.lua.template: one VirtualHost, c2s with STARTTLS, no s2s, no HTTP, and a
/// Component for the upload service on its own port. Runs in the foreground as root; disposing kills it.
/// </summary>
public sealed class ProsodyServer : IXmppTestServer
{
    public const string ProsodyExecutable = "/usr/bin/prosody";
    public const string ProsodyctlExecutable = "/usr/bin/prosodyctl";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly TemporaryDirectory _directory;
    private ExternalProcess? _process;

    private ProsodyServer(TemporaryDirectory directory, ProsodyOptions options, TestCertificates certificates)
    {
        _directory = directory;
        Domain = options.Domain;
        ComponentDomain = options.ComponentDomain ?? $"upload.{options.Domain}";
        ComponentSecret = options.ComponentSecret ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        Certificates = certificates;
        var ports = FreeTcpPort.GetMany(2);
        ClientPort = ports[0];
        ComponentPort = ports[1];
    }

    public string Kind => "prosody";

    public string Domain { get; }

    public int ClientPort { get; }

    public string ComponentDomain { get; }

    public int ComponentPort { get; }

    public string ComponentSecret { get; }

    public TestCertificates Certificates { get; }

    public string CaCertificatePath => Certificates.CaCertificatePath;

    public string Directory => _directory.Path;

    /// <summary>The rendered prosody.cfg.lua.</summary>
    public string ConfigPath => _directory.Combine("prosody.cfg.lua");

    public string Output => _process?.Output ?? "";

    /// <summary>The running prosody process (its output, its pid).</summary>
    public ExternalProcess Process => _process ?? throw new InvalidOperationException("Prosody has not been started.");

    /// <summary>
    /// Renders the config, creates the users (prosodyctl works on the data directory, so this happens before the
    /// start), starts Prosody and returns once its c2s and component ports accept connections.
    /// </summary>
    public static async Task<ProsodyServer> StartAsync(ProsodyOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ProsodyOptions();
        var directory = TemporaryDirectory.Create("prosody");
        ProsodyServer? server = null;
        try
        {
            var certificates = options.Certificates ?? TestCertificates.Create(
                Path.Combine(directory.Path, "tls"),
                options.Domain,
                options.ComponentDomain ?? $"upload.{options.Domain}",
                $"*.{options.Domain}",
                "localhost");
            server = new ProsodyServer(directory, options, certificates);
            server.WriteConfig(options);
            foreach (var (user, password) in options.Users)
            {
                await server.RegisterUserAsync(user, password, cancellationToken);
            }

            server._process = ExternalProcess.Start(
                ProsodyExecutable,
                ["--config", server.ConfigPath, "-F"],
                new ExternalProcessOptions { Name = "prosody", WorkingDirectory = directory.Path });
            await server._process.WaitForPortAsync(server.ClientPort, options.StartupTimeout, cancellationToken);
            await server._process.WaitForPortAsync(server.ComponentPort, options.StartupTimeout, cancellationToken);
            return server;
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
            else
            {
                directory.Dispose();
            }

            throw;
        }
    }

    /// <summary>Runs <c>prosodyctl --config ... register</c>; works whether or not Prosody is running.</summary>
    public async Task RegisterUserAsync(string user, string password, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentException.ThrowIfNullOrEmpty(password);
        await using var prosodyctl = ExternalProcess.Start(
            ProsodyctlExecutable,
            ["--config", ConfigPath, "register", user, Domain, password],
            new ExternalProcessOptions { Name = "prosodyctl", WorkingDirectory = Directory });
        var exitCode = await prosodyctl.WaitForExitAsync(CommandTimeout, cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"prosodyctl register {user} {Domain} failed with exit code {exitCode}.{prosodyctl.Describe()}");
        }
    }

    public Task<string> WaitForComponentAuthenticatedAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);

        // mod_component: "<domain>:component  info  External component successfully authenticated"
        var seen = 0;
        var prefix = $"{ComponentDomain}:component";
        return Process.WaitForOutputAsync(
            line => line.StartsWith(prefix, StringComparison.Ordinal)
                && line.Contains("External component successfully authenticated", StringComparison.Ordinal)
                && ++seen >= count,
            timeout,
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _directory.Dispose();
    }

    public override string ToString() => $"prosody {Domain} c2s 127.0.0.1:{ClientPort} component {ComponentDomain} 127.0.0.1:{ComponentPort}";

    private void WriteConfig(ProsodyOptions options)
    {
        // Prosody finds a host's certificate as <certificates>/<host>.crt and .key.
        var certificatesPath = _directory.Combine("certs");
        System.IO.Directory.CreateDirectory(certificatesPath);
        File.Copy(Certificates.ServerCertificatePath, Path.Combine(certificatesPath, $"{Domain}.crt"));
        File.Copy(Certificates.ServerKeyPath, Path.Combine(certificatesPath, $"{Domain}.key"));
        var dataPath = _directory.Combine("data");
        System.IO.Directory.CreateDirectory(dataPath);

        // The component comes from the operator's snippet, filled in as the README says, not from a copy of it.
        var componentConfigPath = _directory.Combine("xmppupload.cfg.lua");
        File.WriteAllText(componentConfigPath, OperatorSnippet.Render("prosody", "xmppupload.cfg.lua", ComponentDomain, ComponentSecret, ComponentPort));

        var config = ConfigTemplate.Render(
            Path.Combine(RepositoryLayout.Infra, "prosody", "prosody.test.cfg.lua.template"),
            new Dictionary<string, string>
            {
                ["PID_FILE"] = _directory.Combine("prosody.pid"),
                ["DATA_PATH"] = dataPath,
                ["CERTIFICATES_PATH"] = certificatesPath,
                ["LOG_LEVEL"] = options.LogLevel,
                ["C2S_PORT"] = ClientPort.ToString(CultureInfo.InvariantCulture),
                ["DOMAIN"] = Domain,
                ["UPLOAD_COMPONENT_CONFIG"] = componentConfigPath,
                ["EXTRA_GLOBAL_BLOCK"] = options.ExtraGlobalConfig,
                ["EXTRA_VIRTUALHOST_BLOCK"] = options.ExtraVirtualHostConfig,
            });
        File.WriteAllText(ConfigPath, config);
    }
}
