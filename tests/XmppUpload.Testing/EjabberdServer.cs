using System.Globalization;
using System.Security.Cryptography;

namespace XmppUpload.Testing;

/// <summary>
/// A private ejabberd node (Debian's /usr/sbin/ejabberdctl foreground) in a temporary directory, configured from
/// infra/ejabberd/ejabberd.test.yml.template: one host, c2s with STARTTLS and no shaper, no s2s, and an
/// ejabberd_service listener for the upload component. Mnesia, logs and the Erlang cookie (HOME) live in the
/// directory; Erlang distribution uses a fixed loopback port instead of epmd, so nothing outlives the test.
/// </summary>
public sealed class EjabberdServer : IXmppTestServer
{
    public const string EjabberdctlExecutable = "/usr/sbin/ejabberdctl";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly TemporaryDirectory _directory;
    private ExternalProcess? _process;

    private EjabberdServer(TemporaryDirectory directory, EjabberdOptions options, TestCertificates certificates)
    {
        _directory = directory;
        Domain = options.Domain;
        ComponentDomain = options.ComponentDomain ?? $"upload.{options.Domain}";
        ComponentSecret = options.ComponentSecret ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        Certificates = certificates;
        var ports = FreeTcpPort.GetMany(3);
        ClientPort = ports[0];
        ComponentPort = ports[1];
        DistributionPort = ports[2];
        NodeName = $"xmppupload-test-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}@localhost";
    }

    public string Kind => "ejabberd";

    public string Domain { get; }

    public int ClientPort { get; }

    public string ComponentDomain { get; }

    public int ComponentPort { get; }

    public string ComponentSecret { get; }

    public TestCertificates Certificates { get; }

    public string CaCertificatePath => Certificates.CaCertificatePath;

    public string Directory => _directory.Path;

    /// <summary>The Erlang node name, unique per instance.</summary>
    public string NodeName { get; }

    /// <summary>The loopback port of the node's Erlang distribution (what ejabberdctl connects to).</summary>
    public int DistributionPort { get; }

    /// <summary>The rendered ejabberd.yml.</summary>
    public string ConfigPath => _directory.Combine("ejabberd.yml");

    public string Output => _process?.Output ?? "";

    /// <summary>The running ejabberdctl foreground process (its children are the Erlang VM).</summary>
    public ExternalProcess Process => _process ?? throw new InvalidOperationException("ejabberd has not been started.");

    /// <summary>Renders the config, starts the node, waits for the c2s and component ports, then registers the users.</summary>
    public static async Task<EjabberdServer> StartAsync(EjabberdOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EjabberdOptions();
        var directory = TemporaryDirectory.Create("ejabberd");
        EjabberdServer? server = null;
        try
        {
            var certificates = options.Certificates ?? TestCertificates.Create(
                Path.Combine(directory.Path, "tls"),
                options.Domain,
                options.ComponentDomain ?? $"upload.{options.Domain}",
                $"*.{options.Domain}",
                "localhost");
            server = new EjabberdServer(directory, options, certificates);
            server.WriteConfig(options);
            server._process = server.StartEjabberdctl("ejabberd", ["foreground"]);
            await server._process.WaitForPortAsync(server.ClientPort, options.StartupTimeout, cancellationToken);
            await server._process.WaitForPortAsync(server.ComponentPort, options.StartupTimeout, cancellationToken);
            foreach (var (user, password) in options.Users)
            {
                await server.RegisterUserAsync(user, password, cancellationToken);
            }

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

    /// <summary>Runs <c>ejabberdctl register</c> against the running node.</summary>
    public async Task RegisterUserAsync(string user, string password, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        ArgumentException.ThrowIfNullOrEmpty(password);
        var (exitCode, output) = await RunCommandAsync(["register", user, Domain, password], cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ejabberdctl register {user} {Domain} failed with exit code {exitCode}.{Environment.NewLine}{output}");
        }
    }

    /// <summary>Runs any ejabberdctl command (e.g. "connected_users", "reload_config") against the node.</summary>
    public async Task<(int ExitCode, string Output)> RunCommandAsync(IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        await using var ejabberdctl = StartEjabberdctl("ejabberdctl", arguments);
        var exitCode = await ejabberdctl.WaitForExitAsync(CommandTimeout, cancellationToken);
        return (exitCode, ejabberdctl.Output);
    }

    public Task<string> WaitForComponentAuthenticatedAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);

        // ejabberd_service: "[info] (tcp|<0.1.0>) Accepted external component handshake authentication for <domain> from 127.0.0.1"
        var seen = 0;
        var marker = $"authentication for {ComponentDomain} from";
        return Process.WaitForOutputAsync(
            line => line.Contains("Accepted external component", StringComparison.Ordinal)
                && line.Contains(marker, StringComparison.Ordinal)
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

    public override string ToString() => $"ejabberd {Domain} c2s 127.0.0.1:{ClientPort} component {ComponentDomain} 127.0.0.1:{ComponentPort}";

    private ExternalProcess StartEjabberdctl(string name, IEnumerable<string> arguments) =>
        ExternalProcess.Start(
            EjabberdctlExecutable,
            [
                "--config-dir", Directory,
                "--config", ConfigPath,
                "--ctl-config", _directory.Combine("ejabberdctl.cfg"),
                "--spool", _directory.Combine("spool"),
                "--logs", _directory.Combine("logs"),
                .. arguments,
            ],
            new ExternalProcessOptions
            {
                Name = name,
                WorkingDirectory = Directory,
                // Erlang keeps its distribution cookie in $HOME/.erlang.cookie; the node and every ejabberdctl
                // call must share it, and it must not touch root's real home.
                Environment = new Dictionary<string, string?> { ["HOME"] = Directory },
            });

    private void WriteConfig(EjabberdOptions options)
    {
        System.IO.Directory.CreateDirectory(_directory.Combine("spool"));
        System.IO.Directory.CreateDirectory(_directory.Combine("logs"));
        var ejabberdInfra = Path.Combine(RepositoryLayout.Infra, "ejabberd");
        File.Copy(Path.Combine(ejabberdInfra, "inetrc.test"), _directory.Combine("inetrc"));

        // The component comes from the operator's snippet, filled in as the README says, not from a copy of it.
        var componentConfigPath = _directory.Combine("xmppupload.yml");
        File.WriteAllText(componentConfigPath, OperatorSnippet.Render("ejabberd", "xmppupload.yml", ComponentDomain, ComponentSecret, ComponentPort));

        File.WriteAllText(ConfigPath, ConfigTemplate.Render(
            Path.Combine(ejabberdInfra, "ejabberd.test.yml.template"),
            new Dictionary<string, string>
            {
                ["DOMAIN"] = Domain,
                ["LOG_LEVEL"] = options.LogLevel,
                ["CERT_FILE"] = Certificates.ServerBundlePath,
                ["CA_FILE"] = Certificates.CaCertificatePath,
                ["C2S_PORT"] = ClientPort.ToString(CultureInfo.InvariantCulture),
                ["UPLOAD_COMPONENT_CONFIG"] = componentConfigPath,
                ["EXTRA_CONFIG_BLOCK"] = options.ExtraConfig,
                ["EXTRA_LISTENERS_BLOCK"] = options.ExtraListeners,
            }));

        File.WriteAllText(_directory.Combine("ejabberdctl.cfg"), ConfigTemplate.Render(
            Path.Combine(ejabberdInfra, "ejabberdctl.test.cfg.template"),
            new Dictionary<string, string>
            {
                ["NODE_NAME"] = NodeName,
                ["DIST_PORT"] = DistributionPort.ToString(CultureInfo.InvariantCulture),
            }));
    }
}
