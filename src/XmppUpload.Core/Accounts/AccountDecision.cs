using XmppUpload.Core.Slots;

namespace XmppUpload.Core.Accounts;

/// <summary>The account's answer to one slot request: grant (after evicting some files) or refuse, and why.</summary>
public sealed record AccountDecision
{
    private AccountDecision()
    {
    }

    public bool IsGranted { get; private init; }

    /// <summary>Stored files to remove (no longer served at once) so that the new file fits.</summary>
    public IReadOnlyList<string> Evict { get; private init; } = [];

    public SlotRefusal? Refusal { get; private init; }

    public string? Text { get; private init; }

    public DateTimeOffset? RetryAt { get; private init; }

    public static AccountDecision Grant(IReadOnlyList<string> evict) => new() { IsGranted = true, Evict = evict };

    public static AccountDecision Refuse(SlotRefusal refusal, string text, DateTimeOffset? retryAt = null) =>
        new() { Refusal = refusal, Text = text, RetryAt = retryAt };
}
