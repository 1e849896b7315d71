using XmppUpload.Node.Tests.Support;

namespace XmppUpload.Node.Tests.Keys;

/// <summary>Two nodes on one PostgreSQL database, each with its own name and data directory, as on two machines.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresKeyRotationAcrossNodesTests(PostgresFixture postgres) : KeyRotationAcrossNodesContract
{
    private string? _connectionString;

    protected override async ValueTask PrepareLedgerAsync() => _connectionString = await postgres.Server.CreateDatabaseAsync(Ct);

    protected override IReadOnlyDictionary<string, string?> NodeConfiguration(string name) => new Dictionary<string, string?>
    {
        ["Ledger:Provider"] = "Postgres",
        ["ConnectionStrings:Ledger"] = _connectionString,
        ["Ledger:NodeId"] = $"node-{name}",
        ["Storage:Path"] = Directory.Combine(name),
    };
}
