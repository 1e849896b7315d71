using System.Globalization;
using XmppUpload.Testing;

namespace XmppUpload.Cluster.Tests;

/// <summary>
/// One node of a <see cref="ClusterFixture"/>: its place behind the balancer (name, port) and its data directory outlive
/// the process, so a test may kill it and start it again where the balancer and the ledger expect it.
/// </summary>
public sealed class ClusterNode
{
    internal ClusterNode(int index, int port, TemporaryDirectory data)
    {
        Index = index;
        Port = port;
        Data = data;
    }

    /// <summary>0, 1 or 2: its place in <see cref="ClusterFixture.Nodes"/>.</summary>
    public int Index { get; }

    /// <summary>node1, node2, node3: its server name in haproxy and its <c>Ledger:NodeId</c>.</summary>
    public string Name => "node" + (Index + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>Where it listens (plain HTTP on 127.0.0.1), the same across restarts.</summary>
    public int Port { get; }

    /// <summary>The node itself, bypassing the balancer.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>Its <c>Storage:Path</c>, kept across restarts.</summary>
    public string DataDirectory => Data.Path;

    /// <summary>The running process; null while the node is stopped.</summary>
    public NodeProcess? Process { get; internal set; }

    /// <summary>What the current process printed so far ("" while stopped).</summary>
    public string Output => Process?.Process.Output ?? "";

    internal TemporaryDirectory Data { get; }

    /// <summary>The same URL (path and query) sent to this node instead of the balancer.</summary>
    public Uri Direct(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return new UriBuilder(url) { Scheme = Uri.UriSchemeHttp, Host = "127.0.0.1", Port = Port }.Uri;
    }

    public override string ToString() => $"{Name} on 127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";
}
