using System.Globalization;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Accounts;

/// <summary>
/// The account's rules for one slot request, as a pure function of what the ledger read: rate window first, then the
/// global quota, then the bucket's quota with its over-quota rule. The ledger runs it inside the transaction that
/// records the result, which is what makes each decision atomic per account.
/// </summary>
public static class AccountRules
{
    public static AccountDecision Decide(AccountSnapshot snapshot, long size, AccountLimits limits, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(limits);
        var bucket = limits.Bucket;
        var name = PurposeNames.ElementName(bucket.Purpose);

        if (snapshot.RequestsInWindow >= limits.RequestsPerWindow)
        {
            // The window slides: a request is accepted again once the oldest one in it has left the window.
            var retryAt = (snapshot.OldestRequestInWindow ?? now) + limits.Window;
            return AccountDecision.Refuse(
                SlotRefusal.RateLimited,
                string.Create(CultureInfo.InvariantCulture, $"Too many upload requests: at most {limits.RequestsPerWindow} per {Describe(limits.Window)}. Try again at {XmppDateTime.Format(retryAt)}."),
                retryAt);
        }

        if (limits.GlobalQuota is { } global && snapshot.GlobalUsedBytes + size > global)
        {
            // Refused like a full Reject bucket with no known time at which space frees.
            return AccountDecision.Refuse(SlotRefusal.QuotaFull, "The upload service is full: it cannot take more files now.");
        }

        // A file larger than the whole quota can never fit, whatever is evicted or expires.
        if (size > bucket.Quota)
        {
            return AccountDecision.Refuse(
                SlotRefusal.QuotaFull,
                string.Create(CultureInfo.InvariantCulture, $"The file is larger than your whole {name} quota of {bucket.Quota} bytes."));
        }

        var used = snapshot.StoredBytes + snapshot.ReservedBytes;
        if (used + size <= bucket.Quota)
        {
            return AccountDecision.Grant([]);
        }

        if (bucket.OverQuota == OverQuotaRule.EvictOldest)
        {
            var evict = new List<string>();
            var freed = 0L;
            foreach (var file in snapshot.OldestStored)
            {
                if (used - freed + size <= bucket.Quota)
                {
                    break;
                }

                evict.Add(file.SlotId);
                freed += file.Size;
            }

            if (used - freed + size <= bucket.Quota)
            {
                return AccountDecision.Grant(evict);
            }

            // Even with every stored file gone the open reservations leave no room: say when they lapse.
        }

        var freesAt = Earliest(snapshot.NextExpiry, snapshot.NextReservationLapse);
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"Your {name} quota of {bucket.Quota} bytes is full ({used} bytes used or reserved).");
        return freesAt is { } at
            ? AccountDecision.Refuse(SlotRefusal.ResourceConstraint, $"{text} Space frees at {XmppDateTime.Format(at)}.", at)
            : AccountDecision.Refuse(SlotRefusal.QuotaFull, $"{text} Delete some of your files to upload more.");
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : (a < b ? a : b);

    private static string Describe(TimeSpan window) =>
        window.TotalSeconds < 120
            ? string.Create(CultureInfo.InvariantCulture, $"{window.TotalSeconds:0} seconds")
            : window.TotalMinutes < 120
                ? string.Create(CultureInfo.InvariantCulture, $"{window.TotalMinutes:0} minutes")
                : string.Create(CultureInfo.InvariantCulture, $"{window.TotalHours:0} hours");
}
