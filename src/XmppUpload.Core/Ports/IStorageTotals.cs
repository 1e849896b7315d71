using XmppUpload.Core.Accounts;

namespace XmppUpload.Core.Ports;

/// <summary>What the whole service stores, for operators' dashboards (one aggregate read; not on any request's path).</summary>
public interface IStorageTotals
{
    /// <summary>Stored files and their bytes by purpose bucket, over every account.</summary>
    Task<IReadOnlyList<BucketTotal>> GetStoredTotalsAsync(CancellationToken cancellationToken);
}
