using System.Globalization;

namespace XmppUpload.Testing;

/// <summary>
/// The real XmppUpload node executable, run as a child process with configuration passed as <c>--Key=value</c>
/// arguments, listening on plain HTTP on a free loopback port. Disposing stops it and removes its data directory.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly bool _ownsDataDirectory;

    private NodeProcess(ExternalProcess process, int httpPort, string dataDirectory, bool ownsDataDirectory)
    {
        Process = process;
        HttpPort = httpPort;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
    }

    public ExternalProcess Process { get; }

    public int HttpPort { get; }

    /// <summary>The base of the slot URLs the node hands out.</summary>
    public Uri PublicUrl { get; private init; } = null!;

    public string DataDirectory { get; }

    /// <summary>The node's main assembly: beside the test binaries when the test project references the node, else its build output.</summary>
    public static string AssemblyPath
    {
        get
        {
            var beside = Path.Combine(AppContext.BaseDirectory, "XmppUpload.Node.dll");
            if (File.Exists(beside))
            {
                return beside;
            }

            var candidates = new[] { "Release", "Debug" }
                .Select(configuration => Path.Combine(RepositoryLayout.Root, "src", "XmppUpload.Node", "bin", configuration, "net10.0", "XmppUpload.Node.dll"))
                .Where(File.Exists)
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .ToList();
            return candidates.Count > 0
                ? candidates[0]
                : throw new InvalidOperationException("XmppUpload.Node.dll is not built: run 'dotnet build Cluster.sln' first.");
        }
    }

    /// <summary>Starts a node with the given settings (keys as in appsettings, e.g. <c>Xmpp:Secret</c>) and waits until it listens.</summary>
    /// <param name="httpPort">The port to listen on, e.g. to start a node again where a load balancer expects it; a free one when null.</param>
    public static async Task<NodeProcess> StartAsync(
        IReadOnlyDictionary<string, string> settings,
        TimeSpan? startupTimeout = null,
        string? dataDirectory = null,
        bool waitForComponent = true,
        TestCertificates? https = null,
        int? httpPort = null,
        CancellationToken cancellationToken = default,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var ownsData = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("xmppupload-node-").FullName;
        var port = httpPort ?? FreeTcpPort.Get();
        var portText = port.ToString(CultureInfo.InvariantCulture);
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Storage:Path"] = dataDirectory,
            ["Logging:Console:FormatterName"] = "simple",
            ["Logging:LogLevel:XmppUpload"] = "Debug",
        };
        if (https is null)
        {
            all["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{portText}";
            all["Http:PublicUrl"] = $"http://127.0.0.1:{portText}/";
        }
        else
        {
            // The test CA's server certificate names localhost and 127.0.0.1, so clients that trust the CA verify it.
            all["Kestrel:Endpoints:Https:Url"] = $"https://127.0.0.1:{portText}";
            all["Kestrel:Endpoints:Https:Certificate:Path"] = https.ServerCertificatePath;
            all["Kestrel:Endpoints:Https:Certificate:KeyPath"] = https.ServerKeyPath;
            all["Http:PublicUrl"] = $"https://localhost:{portText}/";
        }

        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        var arguments = new List<string> { AssemblyPath };
        arguments.AddRange(all.Select(pair => $"--{pair.Key}={pair.Value}"));
        var variables = new Dictionary<string, string?>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            // Variables the node reads only from the environment, such as OTEL_EXPORTER_OTLP_ENDPOINT.
            variables[name] = value;
        }

        var process = ExternalProcess.Start("dotnet", arguments, new ExternalProcessOptions
        {
            Name = "xmppupload-node",
            WorkingDirectory = dataDirectory,
            Environment = variables,
        });

        var node = new NodeProcess(process, port, dataDirectory, ownsData) { PublicUrl = new Uri(all["Http:PublicUrl"]) };
        try
        {
            var timeout = startupTimeout ?? TimeSpan.FromSeconds(60);
            await process.WaitForPortAsync(port, timeout, cancellationToken);
            if (waitForComponent)
            {
                await process.WaitForOutputAsync(line => line.Contains(ComponentReadyMarker, StringComparison.Ordinal), timeout, cancellationToken);
            }

            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>The text the node logs once the component link has completed its handshake.</summary>
    public const string ComponentReadyMarker = " is authenticated";

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        if (_ownsDataDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a dying process; the temp directory is cleaned by the OS later.
            }
        }
    }
}
