using System.Globalization;
using XmppUpload.Testing;

namespace XmppUpload.Benchmarks.Http;

/// <summary>
/// nginx from Debian as the reference for what the machine can do: static files for GET, the core DAV module for PUT,
/// a worker per core, logging off, on a free loopback port with its files in a temporary directory.
/// </summary>
internal sealed class NginxTarget : IHttpTarget
{
    private readonly TemporaryDirectory _directory;
    private readonly ExternalProcess _process;
    private readonly int _port;
    private long _next;

    private NginxTarget(TemporaryDirectory directory, ExternalProcess process, int port)
    {
        _directory = directory;
        _process = process;
        _port = port;
    }

    public string Name => "nginx";

    /// <summary>Why nginx cannot be run here, or <c>null</c> when it can.</summary>
    public static string? Unavailable() => ExecutableSearch.Find("nginx") is null ? "nginx is not installed (tests/benchmarks/install-bench-deps.sh)" : null;

    public static async Task<NginxTarget> StartAsync(CancellationToken cancellationToken)
    {
        var directory = TemporaryDirectory.Create("bench-nginx");
        Directory.CreateDirectory(directory.Combine("files"));
        Directory.CreateDirectory(directory.Combine("body"));
        var port = FreeTcpPort.Get();
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
                    listen 127.0.0.1:{{port}};
                    root {{directory.Combine("files")}};
                    location / {
                        dav_methods PUT;
                        create_full_put_path on;
                    }
                }
            }
            """), cancellationToken);
        var process = ExternalProcess.Start("nginx", ["-c", config, "-p", directory.Path], new ExternalProcessOptions { Name = "nginx" });
        var target = new NginxTarget(directory, process, port);
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
        return Task.FromResult(new Upload(new Uri($"http://127.0.0.1:{_port.ToString(CultureInfo.InvariantCulture)}/{name}"), null));
    }

    public IReadOnlyList<int> ProcessIds() => ProcessMemory.WithChildren(_process.Id);

    public Task RemoveStoredFilesAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in new DirectoryInfo(_directory.Combine("files")).EnumerateFileSystemInfos())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry is DirectoryInfo folder)
            {
                folder.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _directory.Dispose();
    }
}
