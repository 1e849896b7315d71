using System.Globalization;
using System.Net;
using System.Text;
using Npgsql;
using XmppUpload.Testing;

namespace XmppUpload.Cluster.Tests;

/// <summary>
/// A cluster as an operator runs one (README "Run a cluster"), on loopback: one PostgreSQL with the settings of
/// infra/cluster/postgresql.conf, one object store (<see cref="StartObjectStoreAsync"/>), a Prosody with the upload
/// component, three nodes on both (distinct <c>Ledger:NodeId</c>, <c>Http:PublicUrl</c> naming the balancer) and haproxy
/// from infra/cluster/haproxy.cfg in front of them. Shared by the tests of a class; a test that takes a part down
/// (PostgreSQL, a node) brings it back before it ends.
/// </summary>
/// <remarks>
/// Every node attaches to Prosody as the same component. Until one node holds the link by a lease, Prosody keeps the
/// first and refuses the others ("conflict"), which retry every <see cref="ReconnectDelayCap"/>; either way exactly one
/// node answers slot requests and every node serves PUT and GET. WebDAV is off unless a subclass turns it on in
/// <see cref="ConfigureNodes"/> (<see cref="AzureBlobWebDavClusterFixture"/>).
/// </remarks>
public abstract class ClusterFixture : IAsyncLifetime
{
    public const int NodeCount = 3;

    public static readonly IReadOnlyDictionary<string, string> Users = new Dictionary<string, string>
    {
        ["alice"] = "alice-password",
        ["bob"] = "bob-password",
        ["carol"] = "carol-password",
        ["dave"] = "dave-password",
        ["erin"] = "erin-password",
    };

    /// <summary>The profile bucket's per-account quota (rule Reject), small enough for a test to fill.</summary>
    public const long ProfileQuota = 800_000;

    public const long MaxFileSize = 16 * 1024 * 1024;

    /// <summary>The largest delay between a node's attempts to attach to Prosody: how soon a waiting node takes over the link.</summary>
    public static readonly TimeSpan ReconnectDelayCap = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly List<ClusterNode> _nodes = [];
    private readonly Dictionary<string, string> _sharedSettings = new(StringComparer.OrdinalIgnoreCase);
    private PostgresServer? _postgres;
    private ProsodyServer? _prosody;
    private HaproxyServer? _balancer;
    private string? _ledgerConnectionString;

    public PostgresServer Postgres => _postgres ?? throw NotStarted();

    /// <summary>The nodes' <c>ConnectionStrings:Ledger</c>.</summary>
    public string LedgerConnectionString => _ledgerConnectionString ?? throw NotStarted();

    public ProsodyServer Prosody => _prosody ?? throw NotStarted();

    public HaproxyServer Balancer => _balancer ?? throw NotStarted();

    public IReadOnlyList<ClusterNode> Nodes => _nodes;

    /// <summary>Which blob store the nodes use, for messages: "S3" or "AzureBlob".</summary>
    public abstract string BlobStore { get; }

    /// <summary>Everything the cluster's parts printed, for assertion messages.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var node in _nodes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"--- {node} ---").AppendLine(node.Output);
        }

        text.AppendLine("--- haproxy ---").AppendLine(_balancer?.Output);
        text.AppendLine("--- prosody ---").AppendLine(_prosody?.Output);
        text.AppendLine("--- postgres ---").AppendLine(_postgres?.Output);
        return text.ToString();
    }

    public async ValueTask InitializeAsync()
    {
        var cancellation = TestContext.Current.CancellationToken;
        _postgres = await PostgresServer.StartAsync(Path.Combine(RepositoryLayout.Infra, "cluster", "postgresql.conf"), cancellation);
        // A pool per node sized as README "Run a cluster" advises against max_connections in infra/cluster/postgresql.conf.
        _ledgerConnectionString = await _postgres.CreateDatabaseAsync(cancellation) + ";Maximum Pool Size=80";
        var objectStore = await StartObjectStoreAsync(cancellation);
        _prosody = await ProsodyServer.StartAsync(new ProsodyOptions { Users = Users }, cancellation);

        var ports = FreeTcpPort.GetMany(NodeCount + 1);
        var balancerPort = ports[0];
        foreach (var (key, value) in objectStore)
        {
            _sharedSettings[key] = value;
        }

        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["Xmpp:Server"] = $"127.0.0.1:{_prosody.ComponentPort.ToString(CultureInfo.InvariantCulture)}",
            ["Xmpp:Domain"] = _prosody.ComponentDomain,
            ["Xmpp:Secret"] = _prosody.ComponentSecret,
            ["Xmpp:ReconnectDelay"] = "00:00:00.200",
            ["Xmpp:MaxReconnectDelay"] = ReconnectDelayCap.ToString("c", CultureInfo.InvariantCulture),
            // Every slot URL names the balancer; a test reaches one node by retargeting it (ClusterNode.Direct).
            ["Http:PublicUrl"] = $"http://127.0.0.1:{balancerPort.ToString(CultureInfo.InvariantCulture)}/",
            ["Ledger:Provider"] = "Postgres",
            ["ConnectionStrings:Ledger"] = _ledgerConnectionString,
            ["WebDav:Enabled"] = "false",
            ["Upload:MaxFileSize"] = MaxFileSize.ToString(CultureInfo.InvariantCulture),
            ["Upload:Purposes:profile:MaxFileSize"] = ProfileQuota.ToString(CultureInfo.InvariantCulture),
            ["Upload:Purposes:profile:Quota"] = ProfileQuota.ToString(CultureInfo.InvariantCulture),
            // The tests send bursts of requests from one account; the rate window is not what they are about.
            ["Upload:RateLimit:Requests"] = "10000",
        })
        {
            _sharedSettings[key] = value;
        }

        ConfigureNodes(_sharedSettings);
        for (var index = 0; index < NodeCount; index++)
        {
            _nodes.Add(new ClusterNode(index, ports[index + 1], TemporaryDirectory.Create($"cluster-node{index + 1}")));
        }

        // All at once, as a cluster starts after a deployment: they migrate the ledger and create the token key in turns.
        await Task.WhenAll(_nodes.Select(node => StartNodeAsync(node.Index, cancellation)));
        _balancer = await HaproxyServer.StartAsync(
            [.. _nodes.Select(node => new HaproxyBackend(node.Name, node.Port))],
            balancerPort,
            cancellationToken: cancellation);
        await _prosody.WaitForComponentAuthenticatedAsync(1, StartTimeout, cancellation);
    }

    /// <summary>
    /// Starts node <paramref name="index"/> (again) on its port and data directory with the cluster's settings, and
    /// returns once it listens. Whether it holds the component link is not awaited: another node may hold it.
    /// </summary>
    public async Task StartNodeAsync(int index, CancellationToken cancellationToken)
    {
        var node = _nodes[index];
        if (node.Process is not null)
        {
            throw new InvalidOperationException($"{node} is running.");
        }

        var settings = new Dictionary<string, string>(_sharedSettings, StringComparer.OrdinalIgnoreCase)
        {
            ["Ledger:NodeId"] = node.Name,
        };
        node.Process = await NodeProcess.StartAsync(
            settings,
            StartTimeout,
            dataDirectory: node.DataDirectory,
            waitForComponent: false,
            httpPort: node.Port,
            cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Kills node <paramref name="index"/> with SIGKILL (no shutdown: open uploads, the component link and its
    /// PostgreSQL sessions just break) and returns once it is gone. Its data directory stays for <see cref="StartNodeAsync"/>.
    /// </summary>
    public async Task KillNodeAsync(int index)
    {
        var node = _nodes[index];
        if (node.Process is { } process)
        {
            node.Process = null;
            // ExternalProcess kills the process tree with SIGKILL; a node given its own data directory keeps it.
            await process.DisposeAsync();
        }
    }

    /// <summary>
    /// The nodes that hold the component link now, by the <c>holdsLink</c> of their /health/ready answer in JSON (a node
    /// on standby is as healthy as the holder).
    /// </summary>
    public async Task<IReadOnlyList<ClusterNode>> LinkHoldersAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var holders = new List<ClusterNode>();
        foreach (var node in _nodes.Where(n => n.Process is not null))
        {
            // The JSON form of readiness names the link's state; a node on standby is healthy too, so only holdsLink tells.
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(node.Url, "health/ready"));
            request.Headers.Accept.Add(new System.Net.Http.Headers.MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                continue;
            }

            using var health = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (health.RootElement.GetProperty("checks").GetProperty("xmpp-component-link").GetProperty("data").GetProperty("holdsLink").GetBoolean())
            {
                holders.Add(node);
            }
        }

        return holders;
    }

    /// <summary>
    /// The node that holds the component link, once exactly one node reports holding it. Prosody logs a component's
    /// handshake a moment before that node has read Prosody's answer and reports the link as held, so a test that has
    /// seen the handshake in Prosody's log waits here for the node's own word.
    /// </summary>
    public async Task<ClusterNode> WaitForLinkHolderAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        IReadOnlyList<ClusterNode> holders = [];
        await StateWait.UntilAsync(
            "exactly one node reports holding the component link",
            async token => (holders = await LinkHoldersAsync(token)).Count == 1,
            timeout,
            cancellationToken);
        return holders[0];
    }

    /// <summary>Waits until haproxy sees every running node up (its own /health/ready checks passing).</summary>
    public Task WaitForBalancedNodesAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var running = _nodes.Where(n => n.Process is not null).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        return Balancer.WaitForServersAsync(servers => servers.Where(s => running.Contains(s.Name)).All(s => s.IsUp), timeout, cancellationToken);
    }

    /// <summary>
    /// Runs clients/slots.py as <paramref name="user"/>: one slot request per file, all at once over one XMPP session,
    /// and (unless <paramref name="slotOnly"/>) each granted slot's PUT to <paramref name="putBases"/> in turn (the slot's
    /// own URL, the balancer, when none is given).
    /// </summary>
    public async Task<IReadOnlyList<SlotOutcome>> RequestSlotsAsync(
        string user,
        IReadOnlyList<string> files,
        string? purpose = null,
        IReadOnlyList<Uri>? putBases = null,
        bool slotOnly = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        List<string> arguments = [.. ConnectionArguments(user), "--service", Prosody.ComponentDomain];
        foreach (var file in files)
        {
            arguments.AddRange(["--file", file]);
        }

        if (purpose is not null)
        {
            arguments.AddRange(["--purpose", purpose]);
        }

        foreach (var putBase in putBases ?? [])
        {
            arguments.AddRange(["--put-base", putBase.AbsoluteUri]);
        }

        if (slotOnly)
        {
            arguments.Add("--slot-only");
        }

        var run = await SlixmppClient.RunScriptAsync("slots.py", arguments, TimeSpan.FromMinutes(3), cancellationToken);
        Assert.True(run.ExitCode == 0, $"{run}{Environment.NewLine}{Describe()}");
        return [.. run.Json.GetProperty("slots").EnumerateArray().Select(SlotOutcome.FromJson)];
    }

    /// <summary>Runs the XEP-0050 "usage" command (clients/adhoc.py) as <paramref name="user"/>; the result holds one row per bucket.</summary>
    public Task<ClientRunResult> UsageCommandAsync(string user, CancellationToken cancellationToken) =>
        SlixmppClient.RunScriptAsync(
            "adhoc.py",
            ["usage", .. ConnectionArguments(user), "--service", Prosody.ComponentDomain],
            TimeSpan.FromMinutes(2),
            cancellationToken);

    /// <summary>Runs one query on the shared ledger and returns its first column of the first row.</summary>
    public async Task<T> QueryLedgerAsync<T>(string sql, IReadOnlyDictionary<string, object> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        await using var connection = new NpgsqlConnection(LedgerConnectionString + ";Pooling=false");
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await KillNodeAsync(node.Index);
            node.Data.Dispose();
        }

        if (_balancer is not null)
        {
            await _balancer.DisposeAsync();
        }

        if (_prosody is not null)
        {
            await _prosody.DisposeAsync();
        }

        await StopObjectStoreAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Starts the object store and returns the node settings that point at it (<c>BlobStore:*</c>, connection string).</summary>
    protected abstract Task<IReadOnlyDictionary<string, string>> StartObjectStoreAsync(CancellationToken cancellationToken);

    protected abstract ValueTask StopObjectStoreAsync();

    /// <summary>
    /// Changes the settings every node starts with, after the cluster's own: how a fixture for another feature (WebDAV,
    /// another signing-key or lease setting) varies the cluster without a new harness.
    /// </summary>
    protected virtual void ConfigureNodes(IDictionary<string, string> settings)
    {
    }

    private List<string> ConnectionArguments(string user) =>
    [
        "--jid", $"{user}@{Prosody.Domain}",
        "--password", Users[user],
        "--host", "127.0.0.1",
        "--port", Prosody.ClientPort.ToString(CultureInfo.InvariantCulture),
        "--ca-file", Prosody.CaCertificatePath,
    ];

    private static InvalidOperationException NotStarted() => new("The cluster has not started.");
}
