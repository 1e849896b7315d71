using XmppUpload.Core.Tokens;

namespace XmppUpload.Storage;

/// <summary>A ledger's signing_keys table, as <see cref="SigningKeyLedger"/> drives it; each ledger keeps its SQL and transactions.</summary>
internal interface ISigningKeyTable
{
    /// <summary>Every row, newest activation first, outside any transaction.</summary>
    Task<IReadOnlyList<SigningKey>> ReadKeysAsync(CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one transaction that excludes every other writer of signing keys.</summary>
    Task<T> WriteKeysAsync<T>(Func<ISigningKeyRows, CancellationToken, Task<T>> work, CancellationToken cancellationToken);
}

/// <summary>The signing_keys rows inside a transaction of <see cref="ISigningKeyTable.WriteKeysAsync"/>.</summary>
internal interface ISigningKeyRows
{
    /// <summary>Every row, newest activation first.</summary>
    Task<IReadOnlyList<SigningKey>> ReadAsync(CancellationToken cancellationToken);

    Task InsertAsync(SigningKey key, CancellationToken cancellationToken);

    /// <summary>Sets the retirement of a key that has none yet.</summary>
    Task SetRetirementAsync(SigningKey key, CancellationToken cancellationToken);

    Task DeleteAsync(SigningKey key, CancellationToken cancellationToken);
}
