namespace XmppUpload.Core.Slots;

/// <summary>The answer to a slot request: a granted slot with its URLs and PUT headers, or a refusal with its reason.</summary>
public sealed record SlotDecision
{
    private SlotDecision()
    {
    }

    public GrantedSlot? Granted { get; private init; }

    public SlotRefusal? Refusal { get; private init; }

    /// <summary>Human-readable text for the stanza error's <c>&lt;text/&gt;</c>.</summary>
    public string? Text { get; private init; }

    /// <summary>The limit to report in <c>&lt;file-too-large&gt;&lt;max-file-size&gt;</c>.</summary>
    public long? MaxFileSize { get; private init; }

    /// <summary>When a temporary refusal lifts, for a <c>&lt;retry stamp/&gt;</c>.</summary>
    public DateTimeOffset? RetryAt { get; private init; }

    public static SlotDecision Grant(GrantedSlot slot) => new() { Granted = slot };

    public static SlotDecision Refuse(SlotRefusal refusal, string text, long? maxFileSize = null, DateTimeOffset? retryAt = null) =>
        new() { Refusal = refusal, Text = text, MaxFileSize = maxFileSize, RetryAt = retryAt };
}
