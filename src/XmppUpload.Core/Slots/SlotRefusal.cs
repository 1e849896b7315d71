namespace XmppUpload.Core.Slots;

/// <summary>Why a slot request was not granted; each maps to one XMPP stanza error.</summary>
public enum SlotRefusal
{
    /// <summary>Malformed request: <c>bad-request</c>, type <c>modify</c>.</summary>
    BadRequest,

    /// <summary>The requester may not upload here: <c>forbidden</c>, type <c>auth</c>.</summary>
    Forbidden,

    /// <summary>XEP-0363 section 6: <c>not-acceptable</c>, type <c>modify</c>, with <c>file-too-large</c>.</summary>
    FileTooLarge,

    /// <summary>
    /// A quota or rate window is exhausted for now: <c>resource-constraint</c>, type <c>wait</c>, with a
    /// <c>&lt;retry stamp/&gt;</c> when <see cref="SlotDecision.RetryAt"/> is known (XEP-0363 section 6).
    /// </summary>
    ResourceConstraint,

    /// <summary>
    /// The account's rate window is full: answered exactly like <see cref="ResourceConstraint"/> (type <c>wait</c>
    /// with the <c>&lt;retry stamp/&gt;</c> at which the oldest request leaves the window), told apart so that
    /// operators can count rate limiting and quotas separately.
    /// </summary>
    RateLimited,

    /// <summary>
    /// A quota is full and nothing will free space by itself (no expiry, no lapsing reservation):
    /// <c>resource-constraint</c>, type <c>cancel</c>, with a text that says the quota is full.
    /// </summary>
    QuotaFull,

    /// <summary>The service cannot take uploads now (for example while shutting down): <c>service-unavailable</c>, type <c>wait</c>.</summary>
    Unavailable,
}
