using XmppUpload.Core.Addressing;
using XmppUpload.Core.Configuration;
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

    public SlotService(ILedger ledger, SlotTokens tokens, SlotUrls urls, UploadOptions options, IEnumerable<string> servedDomains, TimeProvider time)
    {
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

        var maxFileSize = _options.MaxFileSizeFor(request.Purpose);
        if (request.Size > maxFileSize)
        {
            return SlotDecision.Refuse(
                SlotRefusal.FileTooLarge,
                $"File too large. The maximum file size is {maxFileSize} bytes.",
                maxFileSize: maxFileSize);
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
            // XEP-0363 "Ephemeral": MUST NOT be available after expire-before.
            ExpiresAt = request.Purpose == Purpose.Ephemeral ? request.ExpireBefore : null,
        };

        await _ledger.CreateSlotAsync(slot, cancellationToken);

        var url = _urls.For(slot.Id, slot.FileName);
        var token = _tokens.Issue(slot.Id, slot.FileName, slot.Size, slot.ContentType, slot.PutDeadline);
        return SlotDecision.Grant(new GrantedSlot(slot, url, url, [new("Authorization", token)]));
    }
}
