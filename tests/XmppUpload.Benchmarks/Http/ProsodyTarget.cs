using System.Globalization;
using XmppUpload.Testing;

namespace XmppUpload.Benchmarks.Http;

/// <summary>
/// Prosody's built-in upload service (<c>mod_http_file_share</c>, Debian's Prosody) as a target: one private Prosody
/// (<see cref="ProsodyServer"/>) with the module as the component share.localhost, its HTTP server on a free loopback
/// port, the size limit at the run's largest file and both quotas far above what a run stores, Nagle's algorithm off as
/// on every other target; otherwise Prosody's defaults (its event loop and 8 KiB reads). Plain HTTP: the module serves
/// its URLs on Prosody's HTTP port, and TLS would measure Prosody's LuaSec rather than the module.
/// </summary>
internal static class ProsodyTarget
{
    public const string ShareDomain = "share.localhost";

    /// <summary>Why Prosody cannot be run here, or <c>null</c> when it can.</summary>
    public static string? Unavailable() =>
        !File.Exists(ProsodyServer.ProsodyExecutable) ? "Prosody is not installed (tests/benchmarks/install-bench-deps.sh)"
        : !File.Exists("/usr/lib/prosody/modules/mod_http_file_share.lua") ? "this Prosody has no mod_http_file_share (0.12 or later is needed)"
        : SlotFeederUnavailable();

    public static async Task<IHttpTarget> StartAsync(long maxFileSize, CancellationToken cancellationToken)
    {
        var httpPort = FreeTcpPort.Get();
        const long TiB = 1L << 40;
        // http_default_host: requests to 127.0.0.1 (not a Prosody host) go to the module's host; http_external_url:
        // its URLs name 127.0.0.1, as every target's do, so no client resolves a name the others do not.
        var config = string.Create(CultureInfo.InvariantCulture, $$"""
            http_ports = { {{httpPort}} }
            http_interfaces = { "127.0.0.1" }
            https_ports = { }
            -- Every other target sends with TCP_NODELAY (nginx's tcp_nodelay, Kestrel's default); with Nagle's algorithm
            -- on, as Prosody ships, a response written in two parts waits out the client's delayed ACK (40 ms on
            -- Linux): 1 KiB GETs ran at 350/s instead of about 4000/s, which measured the interaction, not the module.
            network_settings = { nagle = false }
            http_default_host = "{{ShareDomain}}"
            http_external_url = "http://127.0.0.1:{{httpPort}}/"
            -- The module records each slot in an archive; the internal store refuses past 10000 items per user by default.
            storage_archive_item_limit = 10000000
            Component "{{ShareDomain}}" "http_file_share"
                http_file_share_size_limit = {{maxFileSize}}
                http_file_share_daily_quota = {{TiB}}
                http_file_share_global_quota = {{TiB}}
            """);
        var prosody = await ProsodyServer.StartAsync(new ProsodyOptions { Users = XmppPeerTarget.Users, ExtraGlobalConfig = config, LogLevel = "warn" }, cancellationToken);
        try
        {
            await prosody.Process.WaitForPortAsync(httpPort, TimeSpan.FromSeconds(30), cancellationToken);
            var feeder = await SlotFeeder.StartAsync(prosody, XmppPeerTarget.AccountPrefix, XmppPeerTarget.Password, XmppPeerTarget.Accounts, ShareDomain, cancellationToken);
            // The module keeps each file as <data>/<host, escaped>/http_file_share/<slot>.bin (util.datamanager).
            var data = Path.Combine(prosody.Directory, "data");
            return new XmppPeerTarget(
                "prosody",
                prosody,
                feeder,
                () => Directory.EnumerateDirectories(data).Select(host => Path.Combine(host, "http_file_share")),
                () => [prosody.Process.Id]);
        }
        catch
        {
            await prosody.DisposeAsync();
            throw;
        }
    }

    internal static string? SlotFeederUnavailable() =>
        Directory.Exists("/usr/lib/python3/dist-packages/slixmpp") ? null : "python3-slixmpp is not installed (tests/benchmarks/install-bench-deps.sh)";
}
