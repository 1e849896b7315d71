namespace XmppUpload.Testing;

/// <summary>
/// s3rver (npm, an S3 emulator) on a free 127.0.0.1 port with its data in a temporary directory and one bucket created
/// at start; disposing kills it and deletes the data. Installed by
/// <c>npm install --prefix tests/.npm s3rver@3.7.1 --no-audit --no-fund</c>.
/// </summary>
/// <remarks>
/// s3rver 3.7.1 does not implement ListMultipartUploads (501 NotImplemented) nor AbortMultipartUpload (405), and does
/// not understand aws-chunked bodies (set <c>UseChunkEncoding = false</c>); it runs with Node's OpenSSL legacy provider,
/// which its ListObjectsV2 continuation tokens need. <see cref="PendingMultipartUploads"/> reads
/// its data directory instead, to see which multipart uploads it still holds.
/// </remarks>
public sealed class S3rverServer : IAsyncDisposable
{
    /// <summary>The key pair s3rver accepts out of the box.</summary>
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    public const string DefaultBucket = "uploads";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly TemporaryDirectory _directory;
    private ExternalProcess _process;

    private S3rverServer(ExternalProcess process, TemporaryDirectory directory, int port, string bucket)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Bucket = bucket;
    }

    /// <summary>Where the npm install puts the executable.</summary>
    public static string ExecutablePath => Path.Combine(RepositoryLayout.Root, "tests", ".npm", "node_modules", ".bin", "s3rver");

    public int Port { get; }

    public string Bucket { get; }

    /// <summary>The endpoint for <c>BlobStore:S3:ServiceUrl</c> (path-style addressing).</summary>
    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    /// <summary>s3rver's data directory.</summary>
    public string DataDirectory => _directory.Path;

    /// <summary>Starts s3rver with <paramref name="bucket"/> created, and returns once its port accepts connections.</summary>
    public static async Task<S3rverServer> StartAsync(string bucket = DefaultBucket, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"s3rver is not installed at {ExecutablePath}: run npm install --prefix {Path.Combine(RepositoryLayout.Root, "tests", ".npm")} s3rver@3.7.1 --no-audit --no-fund");
        }

        var directory = TemporaryDirectory.Create("s3rver");
        try
        {
            // The port is free when chosen but could be taken before s3rver binds it; a second port then almost surely is not.
            for (var attempt = 1; ; attempt++)
            {
                var port = FreeTcpPort.Get();
                var process = Launch(directory.Path, port, bucket);
                try
                {
                    await process.WaitForPortAsync(port, StartTimeout, cancellationToken);
                    return new S3rverServer(process, directory, port, bucket);
                }
                catch (InvalidOperationException) when (attempt < 3 && process.Output.Contains("EADDRINUSE", StringComparison.Ordinal))
                {
                    await process.DisposeAsync();
                }
                catch
                {
                    await process.DisposeAsync();
                    throw;
                }
            }
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The object keys of the multipart uploads s3rver holds (started, neither completed nor aborted), read from its data
    /// directory because s3rver does not implement ListMultipartUploads.
    /// </summary>
    /// <summary>Kills s3rver, keeping its data: the object store "goes away" until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync() => await _process.DisposeAsync();

    /// <summary>Starts s3rver again on the same port and data, and returns once the port accepts connections.</summary>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        _process = Launch(_directory.Path, Port, Bucket);
        await _process.WaitForPortAsync(Port, StartTimeout, cancellationToken);
    }

    public IReadOnlyList<string> PendingMultipartUploads()
    {
        var uploads = Path.Combine(_directory.Path, Bucket, "._S3rver_uploads");
        return Directory.Exists(uploads)
            ? [.. Directory.GetDirectories(uploads).Select(upload => File.ReadAllText(Path.Combine(upload, "key")))]
            : [];
    }

    private static ExternalProcess Launch(string directory, int port, string bucket) =>
        ExternalProcess.Start(
            ExecutablePath,
            [
                "--directory", directory,
                "--address", "127.0.0.1",
                "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--silent",
                "--no-vhost-buckets",
                // Created before the server listens, so an open port means the bucket exists.
                "--configure-bucket", bucket,
            ],
            new ExternalProcessOptions
            {
                Name = "s3rver",
                // s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17 and later) only
                // offers through its legacy provider; without it, every truncated listing fails with 500.
                Environment = new Dictionary<string, string?> { ["NODE_OPTIONS"] = "--openssl-legacy-provider" },
            });

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _directory.Dispose();
    }
}
