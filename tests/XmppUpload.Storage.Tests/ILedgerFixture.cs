namespace XmppUpload.Storage.Tests;

/// <summary>
/// One test's ledger store (a database file, a PostgreSQL database) and the ledgers opened on it, all disposed with it;
/// what the ledger contracts need to run against any ledger.
/// </summary>
public interface ILedgerFixture<out TLedger> : IAsyncDisposable
{
    /// <summary>A new ledger on the same store, as another process, node or a restart would open it.</summary>
    TLedger Open();

    /// <summary>The first column of the first row of a query the ledger's API does not offer.</summary>
    object? Scalar(string sql);

    /// <summary>Runs a statement on the store directly, for states the ledger's API cannot produce.</summary>
    void Execute(string sql);
}
