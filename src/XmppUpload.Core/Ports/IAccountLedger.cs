using XmppUpload.Core.Accounts;
using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Ports;

/// <summary>What users and operators see and do with one account's files.</summary>
public interface IAccountLedger
{
    /// <summary>Usage of each bucket the account has anything in (stored files still served, open reservations).</summary>
    Task<IReadOnlyList<BucketUsage>> GetUsageAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The account's stored files that are still served, newest first.</summary>
    Task<IReadOnlyList<Slot>> ListFilesAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Stored to Deleted for one file of this owner (never another's); false when there is no such file.</summary>
    Task<bool> DeleteFileAsync(string owner, string slotId, CancellationToken cancellationToken);

    /// <summary>Marks every slot of the account Deleted and returns their ids, so their blobs can be removed.</summary>
    Task<IReadOnlyList<string>> DeleteAccountAsync(string owner, CancellationToken cancellationToken);
}
