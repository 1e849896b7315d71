using System.Globalization;
using XmppUpload.Testing;

namespace XmppUpload.Benchmarks.Http;

/// <summary>
/// ejabberd's built-in upload service (<c>mod_http_upload</c>, Debian's ejabberd) as a target: one private ejabberd
/// (<see cref="EjabberdServer"/>) with the module on the service share.localhost, an <c>ejabberd_http</c> listener on
/// a free loopback port that hands /upload to it, files under a docroot in the server's directory, and a size limit at
/// the run's largest file (the module has no quota unless mod_http_upload_quota is loaded, which it is not). The slot's
/// secret is part of its URL, so a PUT carries no header. Plain HTTP.
/// </summary>
internal static class EjabberdTarget
{
    public const string ShareDomain = "share.localhost";

    private const string DocrootName = "upload";

    /// <summary>Why ejabberd cannot be run here, or <c>null</c> when it can.</summary>
    public static string? Unavailable() =>
        File.Exists(EjabberdServer.EjabberdctlExecutable) ? ProsodyTarget.SlotFeederUnavailable() : "ejabberd is not installed (tests/benchmarks/install-bench-deps.sh)";

    public static async Task<IHttpTarget> StartAsync(long maxFileSize, CancellationToken cancellationToken)
    {
        var httpPort = FreeTcpPort.Get();
        var server = await EjabberdServer.StartAsync(UploadOptions(XmppPeerTarget.Users, httpPort, maxFileSize), cancellationToken);
        try
        {
            await server.Process.WaitForPortAsync(httpPort, TimeSpan.FromSeconds(60), cancellationToken);
            var feeder = await SlotFeeder.StartAsync(server, XmppPeerTarget.AccountPrefix, XmppPeerTarget.Password, XmppPeerTarget.Accounts, ShareDomain, cancellationToken);
            var docroot = Path.Combine(server.Directory, DocrootName);
            return new XmppPeerTarget("ejabberd", server, feeder, () => [docroot], () => VirtualMachine(server));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The configuration both benchmarks give ejabberd: the accounts, <c>mod_http_upload</c> on <see cref="ShareDomain"/>
    /// (added to the host's modules through <c>append_host_config</c>, as the template's <c>modules:</c> may appear
    /// once) with its files in the server's directory ($HOME there), and its HTTP listener; no log line per slot.
    /// </summary>
    public static EjabberdOptions UploadOptions(IReadOnlyDictionary<string, string> users, int httpPort, long maxFileSize) => new()
    {
        Users = users,
        LogLevel = "warning",
        ExtraListeners = string.Create(CultureInfo.InvariantCulture, $"""
              -
                port: {httpPort}
                ip: "127.0.0.1"
                module: ejabberd_http
                # ejabberd's default backlog of 5 resets the connections of 64 clients at once; nginx's default is 511.
                backlog: 511
                request_handlers:
                  /upload: mod_http_upload
            """),
        ExtraConfig = string.Create(CultureInfo.InvariantCulture, $"""
            append_host_config:
              "localhost":
                modules:
                  mod_http_upload:
                    hosts:
                      - "{ShareDomain}"
                    docroot: "@HOME@/{DocrootName}"
                    put_url: "http://127.0.0.1:{httpPort}/upload"
                    max_size: {maxFileSize}
                    rm_on_unregister: false
            """),
    };

    /// <summary>
    /// The Erlang VM (beam.smp, a child of the ejabberdctl script) and its own children (erl_child_setup): ejabberd's
    /// memory. No epmd runs (the test node uses a fixed distribution port); one would not be ejabberd's anyway.
    /// </summary>
    public static IReadOnlyList<int> VirtualMachine(EjabberdServer server)
    {
        var beam = ProcessMemory.Descendants(server.Process.Id).FirstOrDefault(id => ProcessMemory.Command(id) == "beam.smp");
        return beam == 0 ? throw new InvalidOperationException($"no beam.smp under ejabberdctl (pid {server.Process.Id})") : ProcessMemory.WithChildren(beam);
    }
}
