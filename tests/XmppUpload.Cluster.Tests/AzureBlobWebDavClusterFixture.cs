using System.Globalization;

namespace XmppUpload.Cluster.Tests;

/// <summary>
/// The cluster on Azure Blob Storage with WebDAV served from PostgreSQL and a short upload lease. One cluster carries
/// the shared promises, WebDAV across nodes and an upload whose node is killed, so the suite starts no extra cluster
/// for them (each costs PostgreSQL, Azurite, Prosody, three nodes and haproxy).
/// </summary>
public sealed class AzureBlobWebDavClusterFixture : AzureBlobClusterFixture
{
    /// <summary>
    /// <c>Upload:UploadLease</c>: how long a dead node's upload keeps its slot. Short, so that a retry after a kill waits
    /// little; the nodes renew every third of it while bytes arrive, which a loaded test machine still does in time.
    /// </summary>
    public static readonly TimeSpan UploadLease = TimeSpan.FromSeconds(3);

    /// <summary><c>WebDav:ConfirmTimeout</c>: a bound for a failing test, far above what a confirming client takes.</summary>
    public static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(20);

    protected override void ConfigureNodes(IDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        // README "WebDAV": on PostgreSQL the tree, the Digest nonce key and the users' answers are shared by the nodes,
        // and the bytes are in the object store every node reads.
        settings["WebDav:Enabled"] = "true";
        settings["WebDav:ConfirmTimeout"] = ConfirmTimeout.ToString("c", CultureInfo.InvariantCulture);
        settings["Upload:UploadLease"] = UploadLease.ToString("c", CultureInfo.InvariantCulture);
    }
}
