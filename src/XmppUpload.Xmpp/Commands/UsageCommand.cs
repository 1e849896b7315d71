using System.Globalization;
using System.Xml.Linq;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Slots;

namespace XmppUpload.Xmpp.Commands;

/// <summary>
/// "Show my upload usage": one stage that completes with a result table, one row per purpose bucket (the enabled ones,
/// and a disabled one only while it still holds something of the account): what is stored and reserved against its quota.
/// </summary>
internal sealed class UsageCommand : IAdHocCommand
{
    public const string NodeName = "usage";

    private readonly AccountService _accounts;

    public UsageCommand(AccountService accounts)
    {
        _accounts = accounts;
    }

    public string Node => NodeName;

    public string Name => "Show my upload usage";

    public async Task<CommandStep> StartAsync(string owner, CancellationToken cancellationToken)
    {
        var buckets = await _accounts.GetUsageAsync(owner, cancellationToken);
        var rows = buckets.Where(b => b.Enabled || b.StoredFiles > 0 || b.ReservedBytes > 0).ToList();
        var form = DataForm.Create(
            "result",
            $"Upload usage of {owner}",
            DataForm.Reported(
            [
                ("purpose", "Purpose"),
                ("used", "Used"),
                ("stored-bytes", "Stored (bytes)"),
                ("files", "Files"),
                ("reserved-bytes", "Reserved by uploads in progress (bytes)"),
                ("quota-bytes", "Quota (bytes)"),
                ("retention", "Files are kept"),
                ("over-quota", "When the quota is full"),
            ]),
            rows.Select(Row));
        return CommandStep.Completed(
            form,
            CommandNote.Info(
                "Each purpose has its own quota. It counts the files you have stored and the space reserved by uploads "
                + "that have been granted but not finished yet; a reservation ends when its upload completes or lapses."));
    }

    public Task<CommandStep> ContinueAsync(string owner, CommandSession session, XElement? form, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("The usage command has a single stage and opens no session.");

    private static XElement Row(BucketReport bucket)
    {
        var used = bucket.StoredBytes + bucket.ReservedBytes;
        return DataForm.Item(
        [
            ("purpose", PurposeNames.ElementName(bucket.Purpose) + (bucket.Enabled ? string.Empty : " (no longer offered)")),
            ("used", $"{Humanize.Bytes(used)} of {Humanize.Bytes(bucket.Quota)} ({Humanize.Percent(used, bucket.Quota)})"),
            ("stored-bytes", bucket.StoredBytes.ToString(CultureInfo.InvariantCulture)),
            ("files", bucket.StoredFiles.ToString(CultureInfo.InvariantCulture)),
            ("reserved-bytes", bucket.ReservedBytes.ToString(CultureInfo.InvariantCulture)),
            ("quota-bytes", bucket.Quota.ToString(CultureInfo.InvariantCulture)),
            ("retention", Retention(bucket)),
            ("over-quota", bucket.OverQuota == OverQuotaRule.EvictOldest ? "your oldest files are removed" : "new uploads are refused"),
        ]);
    }

    private static string Retention(BucketReport bucket)
    {
        var retention = Humanize.Retention(bucket.Retention);
        if (bucket.Retention is not null)
        {
            retention = "for " + retention;
        }

        // XEP-0363 purpose 'ephemeral': the client's expire-before bounds the retention further.
        return bucket.Purpose == Purpose.Ephemeral ? retention + ", never past the expiry the client asked for" : retention;
    }
}
