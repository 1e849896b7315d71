namespace XmppUpload.Testing;

/// <summary>
/// Azurite's blob service (npm package <c>azurite</c>, installed into <c>tests/.npm</c> by
/// <c>infra/install-test-deps.sh</c>) on a free 127.0.0.1 port, with its data in a temporary directory. It accepts the
/// emulator's well-known account and checks Shared Key signatures like Azure. Disposing kills it and deletes the data.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>The emulator's account; see <c>AzureStorageConnectionString.DevelopmentAccountName</c>.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known, public key.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    // Another process may take the port between FreeTcpPort and Azurite's bind; a few tries make that harmless.
    private const int MaxStartAttempts = 3;

    private readonly ExternalProcess _process;
    private readonly TemporaryDirectory _data;

    private AzuriteServer(ExternalProcess process, TemporaryDirectory data, int port)
    {
        _process = process;
        _data = data;
        Port = port;
    }

    /// <summary>Where the CI installer puts the executable: <c>tests/.npm/node_modules/.bin/azurite-blob</c>.</summary>
    public static string ExecutablePath => Path.Combine(RepositoryLayout.Root, "tests", ".npm", "node_modules", ".bin", "azurite-blob");

    public int Port { get; }

    /// <summary>The account's blob endpoint, path-style: <c>http://127.0.0.1:{port}/devstoreaccount1</c>.</summary>
    public Uri BlobEndpoint => new($"http://127.0.0.1:{Port}/{AccountName}");

    /// <summary>A connection string in Azure's full format for this instance.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    /// <summary>The same account through <c>UseDevelopmentStorage=true</c>, pointed at this instance's port.</summary>
    public string DevelopmentConnectionString => $"UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://127.0.0.1:{Port}";

    /// <summary>Everything Azurite printed so far (its access log), for failure messages.</summary>
    public string Output => _process.Output;

    /// <summary>Starts Azurite's blob service and waits until its port accepts connections.</summary>
    /// <exception cref="InvalidOperationException">Azurite is not installed, or exited before listening.</exception>
    public static async Task<AzuriteServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var executable = ExecutablePath;
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"Azurite is not installed at {executable}; run infra/install-test-deps.sh "
                + "(or: npm install --prefix tests/.npm azurite@3.37.0 --no-audit --no-fund).");
        }

        for (var attempt = 1; ; attempt++)
        {
            var data = TemporaryDirectory.Create("azurite");
            var port = FreeTcpPort.Get();
            var process = ExternalProcess.Start(
                executable,
                [
                    "--blobHost", "127.0.0.1",
                    "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "--location", data.Path,
                    // Tests may speak any service version; unknown headers are ignored rather than refused.
                    "--skipApiVersionCheck",
                    "--loose",
                    // No telemetry calls to the internet from a test run.
                    "--disableTelemetry",
                ],
                new ExternalProcessOptions { Name = "azurite-blob", WorkingDirectory = data.Path });
            try
            {
                await process.WaitForPortAsync(port, StartTimeout, cancellationToken);
                return new AzuriteServer(process, data, port);
            }
            catch (Exception exception) when (attempt < MaxStartAttempts && exception is InvalidOperationException && process.Output.Contains("EADDRINUSE", StringComparison.Ordinal))
            {
                await process.DisposeAsync();
                data.Dispose();
            }
            catch
            {
                await process.DisposeAsync();
                data.Dispose();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _data.Dispose();
    }
}
