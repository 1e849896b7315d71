using XmppUpload.Core.Accounts;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Lifecycle;
using XmppUpload.Core.Ports;
using XmppUpload.Core.Tokens;

namespace XmppUpload.Core.Slots;

/// <summary>Decides XEP-0363 slot requests: who may upload, what size, for which purpose; records granted slots.</summary>
public sealed class SlotService
{
    private readonly ILedger _ledger;
    private readonly SlotTokens _tokens;
    private readonly SlotUrls _urls;
    private readonly UploadOptions _options;
    private readonly HashSet<string> _servedDomains;
    private readonly TimeProvider _time;
    private readonly NodeDrain? _drain;

    public SlotService(ILedger ledger, SlotTokens tokens, SlotUrls urls, UploadOptions options, IEnumerable<string> servedDomains, TimeProvider time, NodeDrain? drain = null)
    {
        _drain = drain;
        _ledger = ledger;
        _tokens = tokens;
        _urls = urls;
        _options = options;
        _servedDomains = new HashSet<string>(servedDomains.Select(d => d.TrimEnd('.').ToLowerInvariant()), StringComparer.Ordinal);
        _time = time;
    }

    public UploadOptions Options => _options;

    /// <summary>Whether accounts of this domain may upload (XEP-0363 section 6: others get <c>forbidden</c>).</summary>
    public bool Serves(Jid requester)
    {
        ArgumentNullException.ThrowIfNull(requester);
        return requester.Local is not null && _servedDomains.Contains(requester.Domain);
    }

    public async Task<SlotDecision> RequestAsync(Jid requester, SlotRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requester);
        ArgumentNullException.ThrowIfNull(request);

        if (!Serves(requester))
        {
            return SlotDecision.Refuse(SlotRefusal.Forbidden, $"This service does not take uploads from accounts of '{requester.Domain}'.");
        }

        if (_drain is { IsDraining: true })
        {
            // A stopping node takes no new work; the next request reaches the node that takes over the link (or this
            // one after its restart).
            return SlotDecision.Refuse(SlotRefusal.Unavailable, "This upload service node is shutting down; ask again in a moment.");
        }

        var bucket = _options.Bucket(request.Purpose);
        if (!bucket.Enabled)
        {
            return SlotDecision.Refuse(SlotRefusal.BadRequest, $"The purpose '{PurposeNames.ElementName(request.Purpose)}' is not offered by this service.");
        }

        // XEP-0363 section 6: the limit reported is that of the purpose that was asked for.
        if (request.Size > bucket.MaxFileSize)
        {
            return SlotDecision.Refuse(
                SlotRefusal.FileTooLarge,
                $"File too large. The maximum file size is {bucket.MaxFileSize} bytes.",
                maxFileSize: bucket.MaxFileSize);
        }

        var now = _time.GetUtcNow();
        var slot = new Slot
        {
            Id = SlotIds.New(),
            Owner = requester.Bare.ToString(),
            FileName = request.FileName,
            Size = request.Size,
            ContentType = request.ContentType,
            Purpose = request.Purpose,
            CreatedAt = now,
            // Whole seconds, because the token carries the deadline in Unix seconds.
            PutDeadline = DateTimeOffset.FromUnixTimeSeconds((now + _options.SlotLifetime).ToUnixTimeSeconds()),
            ExpiresAt = ExpiryOf(bucket, request, now),
        };

        var decision = await _ledger.ReserveSlotAsync(slot, AccountLimits.From(_options, bucket), now, cancellationToken);
        if (!decision.IsGranted)
        {
            return SlotDecision.Refuse(decision.Refusal ?? SlotRefusal.ResourceConstraint, decision.Text ?? "The upload was refused.", retryAt: decision.RetryAt);
        }

        var url = _urls.For(slot.Id, slot.FileName);
        var token = _tokens.Issue(slot.Id, slot.FileName, slot.Size, slot.ContentType, slot.PutDeadline);
        return SlotDecision.Grant(new GrantedSlot(slot, url, url, [new("Authorization", token)]));
    }

    /// <summary>
    /// When the file stops being served: the bucket's retention counted from the grant (at most one slot lifetime
    /// earlier than from the upload), and never past an ephemeral request's expire-before (XEP-0363 "Ephemeral").
    /// </summary>
    private static DateTimeOffset? ExpiryOf(BucketPolicy bucket, SlotRequest request, DateTimeOffset now)
    {
        DateTimeOffset? retention = bucket.Retention is { } keep ? now + keep : null;
        if (request.Purpose != Purpose.Ephemeral || request.ExpireBefore is not { } expireBefore)
        {
            return retention;
        }

        return retention is { } end && end < expireBefore ? end : expireBefore;
    }
}
