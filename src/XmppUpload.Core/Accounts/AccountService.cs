using XmppUpload.Core.Configuration;
using XmppUpload.Core.Dav;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Accounts;

/// <summary>
/// What a user (through ad-hoc commands) and an operator (through the node's verbs) can see and do with an account.
/// Owners are bare JIDs; one account's calls never reach another's files.
/// </summary>
public sealed class AccountService
{
    private readonly IAccountLedger _ledger;
    private readonly ISweepLedger _sweep;
    private readonly IBlobStore _blobs;
    private readonly SlotUrls _urls;
    private readonly UploadOptions _options;
    private readonly TimeProvider _time;
    private readonly IDavStore? _webDav;
    private readonly StoredSlotCache? _served;

    /// <param name="webDav">The WebDAV tree, whose files a purge removes too; <c>null</c> where WebDAV is not served.</param>
    /// <param name="served">The GET side's cache of stored slots, told of every deletion; <c>null</c> where this process serves no GETs.</param>
    public AccountService(IAccountLedger ledger, ISweepLedger sweep, IBlobStore blobs, SlotUrls urls, UploadOptions options, TimeProvider time, IDavStore? webDav = null, StoredSlotCache? served = null)
    {
        _webDav = webDav;
        _served = served;
        _ledger = ledger;
        _sweep = sweep;
        _blobs = blobs;
        _urls = urls;
        _options = options;
        _time = time;
    }

    /// <summary>Every purpose bucket with the account's use of it (zero where it has nothing) and its limits.</summary>
    public async Task<IReadOnlyList<BucketReport>> GetUsageAsync(string owner, CancellationToken cancellationToken)
    {
        var usage = await _ledger.GetUsageAsync(owner, _time.GetUtcNow(), cancellationToken);
        return [.. PurposeNames.All.Select(purpose =>
        {
            var bucket = _options.Bucket(purpose);
            var used = usage.FirstOrDefault(u => u.Purpose == purpose);
            return new BucketReport(
                purpose, bucket.Enabled, used?.StoredBytes ?? 0, used?.StoredFiles ?? 0, used?.ReservedBytes ?? 0, bucket.Quota, bucket.Retention, bucket.OverQuota);
        })];
    }

    public async Task<IReadOnlyList<AccountFile>> ListFilesAsync(string owner, CancellationToken cancellationToken)
    {
        var files = await _ledger.ListFilesAsync(owner, _time.GetUtcNow(), cancellationToken);
        return [.. files.Select(slot => new AccountFile(
            slot.Id, slot.FileName, slot.Size, slot.ContentType, slot.Purpose, slot.StoredAt, slot.ExpiresAt, _urls.For(slot.Id, slot.FileName)))];
    }

    /// <summary>Stops serving one of the owner's files at once; the sweeper removes its bytes.</summary>
    public async Task<bool> DeleteFileAsync(string owner, string slotId, CancellationToken cancellationToken)
    {
        if (!SlotIds.IsWellFormed(slotId) || !await _ledger.DeleteFileAsync(owner, slotId, cancellationToken))
        {
            return false;
        }

        _served?.Forget(slotId);
        return true;
    }

    /// <summary>
    /// Removes every file and row of the account now: ledger first (nothing is served), then the bytes, then the rows;
    /// then the account's WebDAV files (their rows and, once no other resource names them, their bytes). Returns how
    /// many XEP-0363 slots went.
    /// </summary>
    public async Task<int> PurgeAsync(string owner, CancellationToken cancellationToken)
    {
        var ids = await _ledger.DeleteAccountAsync(owner, cancellationToken);
        foreach (var id in ids)
        {
            _served?.Forget(id);
            await _blobs.DeleteAsync(id, cancellationToken);
        }

        await _sweep.RemoveDeletedAsync(ids, cancellationToken);
        if (_webDav is null)
        {
            return ids.Count;
        }

        var davBlobs = await _webDav.DeleteOwnedAsync(owner, cancellationToken);
        foreach (var key in davBlobs)
        {
            await _blobs.DeleteAsync(key, cancellationToken);
        }

        return ids.Count;
    }
}
