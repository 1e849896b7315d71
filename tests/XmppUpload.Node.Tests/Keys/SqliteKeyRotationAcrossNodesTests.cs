namespace XmppUpload.Node.Tests.Keys;

/// <summary>Two nodes on one SQLite ledger file (one machine, two processes' worth of connections).</summary>
public sealed class SqliteKeyRotationAcrossNodesTests : KeyRotationAcrossNodesContract
{
    protected override ValueTask PrepareLedgerAsync() => ValueTask.CompletedTask;

    protected override IReadOnlyDictionary<string, string?> NodeConfiguration(string name) =>
        new Dictionary<string, string?> { ["Storage:Path"] = Directory.Path };
}
