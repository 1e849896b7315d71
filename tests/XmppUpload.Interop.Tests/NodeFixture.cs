using System.Globalization;
using Microsoft.Data.Sqlite;
using XmppUpload.Testing;

namespace XmppUpload.Interop.Tests;

/// <summary>
/// A real XMPP server (Prosody or ejabberd) with the real node attached as its upload component, serving HTTPS with
/// a certificate of the test CA; shared by the tests of one class.
/// </summary>
public abstract class NodeFixture(string kind) : IAsyncLifetime
{
    public const long MaxFileSize = 10 * 1024 * 1024;

    public static readonly IReadOnlyDictionary<string, string> Users = new Dictionary<string, string>
    {
        ["alice"] = "alice-password",
        ["bob"] = "bob-password",
        ["carol"] = "carol-password",
        ["dave"] = "dave-password",
    };

    /// <summary>The profile bucket's per-account quota in the fixture (Reject), small enough to fill in a test.</summary>
    public const long ProfileQuota = 100_000;

    private IXmppTestServer? _server;
    private NodeProcess? _node;

    public IXmppTestServer Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    public NodeProcess Node => _node ?? throw new InvalidOperationException("The fixture has not started.");

    public SlixmppClient Client(string user = "alice") => new(Server, user, Users[user]) { CaFile = Server.CaCertificatePath };

    /// <summary>Rows in the node's slot ledger, to show that a refused request recorded nothing.</summary>
    public async Task<long> CountSlotsAsync()
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(Node.DataDirectory, "ledger.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        };
        await using var connection = new SqliteConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM slots";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Files committed to the node's blob directory.</summary>
    public int CountBlobs()
    {
        var blobs = Path.Combine(Node.DataDirectory, "blobs");
        return Directory.Exists(blobs) ? Directory.GetFiles(blobs, "*", SearchOption.AllDirectories).Length : 0;
    }

    public async ValueTask InitializeAsync()
    {
        var cancellation = TestContext.Current.CancellationToken;
        _server = await XmppTestServers.StartAsync(kind, Users, cancellationToken: cancellation);
        _node = await NodeProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["Xmpp:Server"] = $"127.0.0.1:{_server.ComponentPort.ToString(CultureInfo.InvariantCulture)}",
                ["Xmpp:Domain"] = _server.ComponentDomain,
                ["Xmpp:Secret"] = _server.ComponentSecret,
                ["Upload:MaxFileSize"] = MaxFileSize.ToString(CultureInfo.InvariantCulture),
                ["Upload:Purposes:profile:MaxFileSize"] = "65536",
                ["Upload:Purposes:profile:Quota"] = ProfileQuota.ToString(CultureInfo.InvariantCulture),
                ["Upload:Purposes:permanent:Enabled"] = "false",
            },
            https: _server.Certificates,
            cancellationToken: cancellation);
    }

    public async ValueTask DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
