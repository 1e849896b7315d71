using System.Globalization;
using XmppUpload.Testing;

namespace XmppUpload.Benchmarks.Http;

/// <summary>
/// nginx from Debian as the reference for what the machine can do: static files for GET, the core DAV module for PUT,
/// a worker per core, logging off, on a free loopback port with its files in a temporary directory; plain HTTP, or
/// HTTPS on the run's test certificate (TLS 1.2 and 1.3, a shared session cache, as a production server would be).
/// </summary>
internal sealed class NginxTarget : IHttpTarget
{
    private readonly TemporaryDirectory _directory;
    private readonly ExternalProcess _process;
    private readonly Uri _base;
    private readonly string? _caCertificatePath;
    private long _next;

    private NginxTarget(string name, TemporaryDirectory directory, ExternalProcess process, Uri baseUrl, string? caCertificatePath)
    {
        Name = name;
        _directory = directory;
        _process = process;
        _base = baseUrl;
        _caCertificatePath = caCertificatePath;
    }

    public string Name { get; }

    private string FilesDirectory => _directory.Combine("files");

    /// <summary>Why nginx cannot be run here, or <c>null</c> when it can.</summary>
    public static string? Unavailable() => ExecutableSearch.Find("nginx") is null ? "nginx is not installed (tests/benchmarks/install-bench-deps.sh)" : null;

    /// <param name="https">The certificate to serve HTTPS with; plain HTTP when null.</param>
    public static async Task<NginxTarget> StartAsync(TestCertificates? https, CancellationToken cancellationToken)
    {
        var directory = TemporaryDirectory.Create("bench-nginx");
        Directory.CreateDirectory(directory.Combine("files"));
        Directory.CreateDirectory(directory.Combine("body"));
        var port = FreeTcpPort.Get();
        var tls = https is null ? string.Empty : $"""
                    ssl_certificate {https.ServerCertificatePath};
                    ssl_certificate_key {https.ServerKeyPath};
                    ssl_protocols TLSv1.2 TLSv1.3;
                    ssl_session_cache shared:bench:10m;
                    ssl_session_timeout 1h;
            """;
        var config = directory.Combine("nginx.conf");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $$"""
            daemon off;
            user root;
            worker_processes auto;
            pid {{directory.Combine("nginx.pid")}};
            error_log {{directory.Combine("error.log")}} warn;
            events { worker_connections 4096; }
            http {
                access_log off;
                sendfile on;
                tcp_nopush on;
                keepalive_requests 1000000;
                client_max_body_size 0;
                client_body_temp_path {{directory.Combine("body")}};
                client_body_buffer_size 128k;
                server {
                    listen 127.0.0.1:{{port}}{{(https is null ? string.Empty : " ssl")}};
            {{tls}}
                    root {{directory.Combine("files")}};
                    location / {
                        dav_methods PUT;
                        create_full_put_path on;
                    }
                }
            }
            """), cancellationToken);
        var process = ExternalProcess.Start("nginx", ["-c", config, "-p", directory.Path], new ExternalProcessOptions { Name = "nginx" });
        var baseUrl = new Uri(string.Create(CultureInfo.InvariantCulture, $"{(https is null ? "http" : "https")}://127.0.0.1:{port}/"));
        var target = new NginxTarget(https is null ? "nginx" : "nginx-https", directory, process, baseUrl, https?.CaCertificatePath);
        try
        {
            await process.WaitForPortAsync(port, TimeSpan.FromSeconds(30), cancellationToken);
            return target;
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    public Task<Upload> NewUploadAsync(long size, CancellationToken cancellationToken)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"f{Interlocked.Increment(ref _next)}/file.bin");
        return Task.FromResult(new Upload(new Uri(_base, name), null, _caCertificatePath));
    }

    public IReadOnlyList<int> ProcessIds() => ProcessMemory.WithChildren(_process.Id);

    public Task RemoveStoredFilesAsync(CancellationToken cancellationToken)
    {
        StoredFiles.EmptyDirectory(FilesDirectory, cancellationToken);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _directory.Dispose();
    }
}
