namespace XmppUpload.Core.Ports;

/// <summary>
/// The ledger's side of retention. Each call works on one bounded batch in its own short transaction (no table-wide
/// locks), and on a shared database claims rows so that two nodes never work on the same ones.
/// </summary>
public interface ISweepLedger
{
    /// <summary>Stored files whose expiry has passed become Deleted (never served from here on); returns how many.</summary>
    Task<int> ExpireStoredAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken);

    /// <summary>
    /// Pending slots whose PUT deadline has passed are removed (their reservation lapses), and abandoned uploads
    /// (<see cref="Slots.Slot.IsAbandoned"/>) become Deleted; returns how many of both.
    /// </summary>
    Task<int> RemoveLapsedReservationsAsync(DateTimeOffset now, int batchSize, CancellationToken cancellationToken);

    /// <summary>A batch of Deleted slots whose blobs are to be removed; the rows go once their blobs are gone.</summary>
    Task<IReadOnlyList<string>> ClaimDeletedAsync(int batchSize, CancellationToken cancellationToken);

    /// <summary>Removes the rows of Deleted slots whose blobs are gone.</summary>
    Task RemoveDeletedAsync(IReadOnlyCollection<string> slotIds, CancellationToken cancellationToken);

    /// <summary>Which of these blob keys have a slot row (in any state); the others are orphans.</summary>
    Task<IReadOnlySet<string>> FindKnownAsync(IReadOnlyCollection<string> slotIds, CancellationToken cancellationToken);
}
