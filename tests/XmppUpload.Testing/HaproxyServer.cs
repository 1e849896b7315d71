using System.Globalization;
using System.Net.Http.Headers;

namespace XmppUpload.Testing;

/// <summary>
/// Debian's haproxy in front of a set of nodes, from the operators' template infra/cluster/haproxy.cfg filled in for
/// loopback: the frontend on 127.0.0.1 (plain HTTP), round robin over the given backends with health checks on
/// <c>/health/ready</c>, and the statistics page on its own port, which <see cref="ReadServersAsync"/> reads to show
/// which node served how many requests. Runs in the foreground, logging every request to the captured output;
/// disposing kills it.
/// </summary>
public sealed class HaproxyServer : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/haproxy";

    /// <summary>How often haproxy checks a node in tests: short, so that a node coming back is seen within a second or two.</summary>
    public static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    // Another process may take a free port before haproxy binds it; a second choice almost surely is free.
    private const int MaxStartAttempts = 3;

    private readonly ExternalProcess _process;
    private readonly TemporaryDirectory _directory;
    private readonly HttpClient _stats;

    private HaproxyServer(ExternalProcess process, TemporaryDirectory directory, int port, int statsPort, IReadOnlyList<HaproxyBackend> backends)
    {
        _process = process;
        _directory = directory;
        Port = port;
        StatsPort = statsPort;
        Backends = backends;
        _stats = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{statsPort.ToString(CultureInfo.InvariantCulture)}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The operators' template that the tests render, as infra/run-cluster.sh does.</summary>
    public static string TemplatePath => Path.Combine(RepositoryLayout.Infra, "cluster", "haproxy.cfg");

    /// <summary>The frontend's port on 127.0.0.1, where clients send their PUTs and GETs.</summary>
    public int Port { get; }

    /// <summary>The frontend's base URL, <c>http://127.0.0.1:{Port}/</c>: what the nodes' <c>Http:PublicUrl</c> names.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    public int StatsPort { get; }

    public IReadOnlyList<HaproxyBackend> Backends { get; }

    /// <summary>The rendered configuration.</summary>
    public string ConfigPath => _directory.Combine("haproxy.cfg");

    /// <summary>haproxy's log so far: one line per request and per server state change.</summary>
    public string Output => _process.Output;

    public ExternalProcess Process => _process;

    /// <summary>
    /// Renders the template for <paramref name="backends"/>, starts haproxy, and returns once its frontend and
    /// statistics ports accept connections and, unless <paramref name="waitForBackends"/> is false, every backend has
    /// passed a health check.
    /// </summary>
    /// <param name="port">The frontend's port, when the nodes were told it before haproxy starts; a free one when null.</param>
    public static async Task<HaproxyServer> StartAsync(
        IReadOnlyList<HaproxyBackend> backends,
        int? port = null,
        TimeSpan? checkInterval = null,
        bool waitForBackends = true,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(backends);
        ArgumentOutOfRangeException.ThrowIfZero(backends.Count);
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"haproxy is not installed at {Executable}: run infra/install-test-deps.sh (apt-get install haproxy).");
        }

        for (var attempt = 1; ; attempt++)
        {
            var directory = TemporaryDirectory.Create("haproxy");
            var ports = FreeTcpPort.GetMany(2);
            var frontendPort = port ?? ports[0];
            var statsPort = ports[1];
            File.WriteAllText(directory.Combine("haproxy.cfg"), Render(backends, frontendPort, statsPort, checkInterval ?? DefaultCheckInterval));
            var process = ExternalProcess.Start(
                Executable,
                // -db: stay in the foreground and log to the captured output; the test owns the process.
                ["-db", "-f", directory.Combine("haproxy.cfg")],
                new ExternalProcessOptions { Name = "haproxy", WorkingDirectory = directory.Path });
            var server = new HaproxyServer(process, directory, frontendPort, statsPort, [.. backends]);
            try
            {
                await process.WaitForPortAsync(frontendPort, StartTimeout, cancellationToken);
                await process.WaitForPortAsync(statsPort, StartTimeout, cancellationToken);
                if (waitForBackends)
                {
                    await server.WaitForServersAsync(servers => servers.All(s => s.IsUp), StartTimeout, cancellationToken);
                }

                return server;
            }
            catch (InvalidOperationException) when (attempt < MaxStartAttempts && port is null && process.Output.Contains("cannot bind socket", StringComparison.Ordinal))
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>The backend servers as haproxy sees them now, in the order of <see cref="Backends"/>.</summary>
    public async Task<IReadOnlyList<HaproxyServerState>> ReadServersAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "stats;csv;norefresh");
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        using var response = await _stats.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var csv = await response.Content.ReadAsStringAsync(cancellationToken);
        return ParseServers(csv);
    }

    /// <summary>Responses sent by each backend so far, by name; the difference of two readings is what a test caused.</summary>
    public async Task<IReadOnlyDictionary<string, long>> ReadResponseCountsAsync(CancellationToken cancellationToken = default) =>
        (await ReadServersAsync(cancellationToken)).ToDictionary(server => server.Name, server => server.Responses);

    /// <summary>
    /// Waits until the statistics satisfy <paramref name="condition"/> (haproxy changes them only at its own health
    /// checks, so they are read again on a short backoff) and returns that reading.
    /// </summary>
    /// <exception cref="TimeoutException">Not within <paramref name="timeout"/>; the message holds the last reading and haproxy's log.</exception>
    public async Task<IReadOnlyList<HaproxyServerState>> WaitForServersAsync(
        Func<IReadOnlyList<HaproxyServerState>, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var delay = TimeSpan.FromMilliseconds(20);
        IReadOnlyList<HaproxyServerState> last = [];
        try
        {
            while (true)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"haproxy exited with code {_process.ExitCode}.{_process.Describe()}");
                }

                last = await ReadServersAsync(deadline.Token);
                if (condition(last))
                {
                    return last;
                }

                await Task.Delay(delay, deadline.Token);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(250).Ticks));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var states = string.Join(", ", last.Select(s => $"{s.Name} {s.Status} {s.CheckStatus}"));
            throw new TimeoutException($"haproxy's backends did not reach the awaited state within {timeout}; last seen: {states}.{_process.Describe()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stats.Dispose();
        await _process.DisposeAsync();
        _directory.Dispose();
    }

    public override string ToString() => $"haproxy on 127.0.0.1:{Port} in front of {string.Join(", ", Backends.Select(b => $"{b.Name}=127.0.0.1:{b.Port}"))}";

    /// <summary>The template filled in for loopback: the same file operators start from.</summary>
    internal static string Render(IReadOnlyList<HaproxyBackend> backends, int port, int statsPort, TimeSpan checkInterval)
    {
        var servers = string.Join(
            Environment.NewLine,
            backends.Select(b => $"    server {b.Name} 127.0.0.1:{b.Port.ToString(CultureInfo.InvariantCulture)}"));
        return ConfigTemplate.Render(
            TemplatePath,
            new Dictionary<string, string>
            {
                // The log goes to the captured output: a failing test shows which request went where.
                ["GLOBAL_BLOCK"] = "    log stdout format raw local0",
                ["FRONTEND_BIND"] = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
                ["STATS_BIND"] = $"127.0.0.1:{statsPort.ToString(CultureInfo.InvariantCulture)}",
                ["CHECK_INTERVAL"] = $"{((long)checkInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}ms",
                ["SERVERS_BLOCK"] = servers,
            });
    }

    /// <summary>The server rows of haproxy's CSV statistics (one header line starting with "# ", then one line per proxy or server).</summary>
    internal static IReadOnlyList<HaproxyServerState> ParseServers(string csv)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0 || !lines[0].StartsWith("# ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"haproxy's statistics are not CSV with a header line:{Environment.NewLine}{csv}");
        }

        var header = lines[0][2..].Split(',');
        int Column(string name) => Array.IndexOf(header, name) is var index and >= 0
            ? index
            : throw new InvalidOperationException($"haproxy's statistics have no column '{name}'.");
        var proxy = Column("pxname");
        var name = Column("svname");
        var status = Column("status");
        var check = Column("check_status");
        string[] responseColumns = ["hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other"];
        var responses = responseColumns.Select(Column).ToArray();

        var servers = new List<HaproxyServerState>();
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(',');
            // "nodes" is the template's backend section.
            if (fields[proxy] != "nodes" || fields[name] is "FRONTEND" or "BACKEND")
            {
                continue;
            }

            servers.Add(new HaproxyServerState(
                fields[name],
                fields[status],
                // A check in progress shows as "* L7OK".
                fields[check].TrimStart('*', ' '),
                responses.Sum(column => long.TryParse(fields[column], NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 0)));
        }

        return servers;
    }
}
