using Microsoft.Extensions.Options;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Slots;

namespace XmppUpload.Node.Configuration;

/// <summary>Refuses an <c>Upload</c> section that would make slots unusable, naming the key to fix.</summary>
internal sealed class UploadOptionsValidator : IValidateOptions<UploadOptions>
{
    // Longer PUT windows turn a leaked URL into a long-lived write capability (XEP-0363 section 9 suggests ~300 s).
    private static readonly TimeSpan MaxSlotLifetime = TimeSpan.FromHours(24);

    private static readonly TimeSpan MinUploadLease = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MaxUploadLease = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, UploadOptions options)
    {
        if (options.MaxFileSize <= 0)
        {
            return ValidateOptionsResult.Fail("Upload:MaxFileSize must be a positive number of bytes (for example 104857600 for 100 MiB).");
        }

        if (options.SlotLifetime <= TimeSpan.Zero || options.SlotLifetime > MaxSlotLifetime)
        {
            return ValidateOptionsResult.Fail("Upload:SlotLifetime must be a duration between 00:00:01 and 1.00:00:00 (for example 00:05:00).");
        }

        // Renewals go out every third of the lease, so below a second the ledger would see several writes per second
        // per upload; a lease as long as the slot's lifetime would let no retry take over a dead upload in time.
        if (options.UploadLease < MinUploadLease || options.UploadLease > MaxUploadLease || options.UploadLease >= options.SlotLifetime)
        {
            return ValidateOptionsResult.Fail(
                "Upload:UploadLease must be a duration between 00:00:01 and 00:05:00 and shorter than Upload:SlotLifetime (for example 00:00:15).");
        }

        foreach (var (purposeName, purpose) in options.Purposes)
        {
            if (!PurposeNames.TryParse(purposeName.ToLowerInvariant(), out _))
            {
                return ValidateOptionsResult.Fail($"Upload:Purposes:{purposeName} is not a purpose: use message, profile, ephemeral or permanent.");
            }

            if (purpose.MaxFileSize is <= 0)
            {
                return ValidateOptionsResult.Fail($"Upload:Purposes:{purposeName}:MaxFileSize must be a positive number of bytes.");
            }

            if (purpose.Quota is <= 0)
            {
                return ValidateOptionsResult.Fail($"Upload:Purposes:{purposeName}:Quota must be a positive number of bytes per account.");
            }

            if (purpose.Retention is not null)
            {
                try
                {
                    UploadOptions.ParseRetention(purpose.Retention);
                }
                catch (FormatException)
                {
                    return ValidateOptionsResult.Fail($"Upload:Purposes:{purposeName}:Retention '{purpose.Retention}' is not a duration: use for example 30.00:00:00, or none.");
                }
            }
        }

        // The ledger keeps one day of request history, so a longer window could not be counted.
        if (options.RateLimit.Requests <= 0 || options.RateLimit.Window <= TimeSpan.Zero || options.RateLimit.Window > TimeSpan.FromDays(1))
        {
            return ValidateOptionsResult.Fail("Upload:RateLimit:Requests must be positive and Upload:RateLimit:Window between 00:00:01 and 1.00:00:00 (for example 60 and 00:05:00).");
        }

        if (options.GlobalQuota is <= 0)
        {
            return ValidateOptionsResult.Fail("Upload:GlobalQuota must be a positive number of bytes, or unset for no global limit.");
        }

        if (options.SweepInterval <= TimeSpan.Zero)
        {
            return ValidateOptionsResult.Fail("Upload:SweepInterval must be a positive duration (for example 00:05:00).");
        }

        if (!options.EnabledPurposes.Any())
        {
            return ValidateOptionsResult.Fail("Upload:Purposes disables every purpose: set Upload:Purposes:message:Enabled=true.");
        }

        return ValidateOptionsResult.Success;
    }
}
