using XmppUpload.Core.Configuration;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;

namespace XmppUpload.Testing;

/// <summary>
/// Shortcuts for tests that need a slot Uploading or Stored and do not test how it got there; the upload lifecycle
/// itself is tested through <see cref="ILedger"/>'s methods.
/// </summary>
public static class LedgerUploads
{
    /// <summary>The lease these shortcuts take: the default of <c>Upload:UploadLease</c>.</summary>
    public static readonly TimeSpan Lease = UploadOptions.DefaultUploadLease;

    /// <summary>Begins an upload and returns its attempt id; throws if the ledger did not start it.</summary>
    public static async Task<string> BeginUploadAsync(this ILedger ledger, string slotId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        var begin = await ledger.TryBeginUploadAsync(slotId, now, Lease, cancellationToken);
        return begin.Outcome == BeginUploadResult.Started
            ? begin.Attempt!
            : throw new InvalidOperationException($"The upload of slot {slotId} did not start: {begin.Outcome}.");
    }

    /// <summary>Begins and completes an upload at <paramref name="now"/>; throws unless the slot ends Stored.</summary>
    public static async Task StoreUploadAsync(this ILedger ledger, string slotId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var attempt = await ledger.BeginUploadAsync(slotId, now, cancellationToken);
        if (!await ledger.TryCompleteUploadAsync(slotId, attempt, now, cancellationToken))
        {
            throw new InvalidOperationException($"The upload of slot {slotId} did not complete.");
        }
    }
}
