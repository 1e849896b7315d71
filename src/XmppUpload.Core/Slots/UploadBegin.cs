namespace XmppUpload.Core.Slots;

/// <summary>
/// What a ledger answered to a PUT that wants to stream into a slot. When <see cref="Outcome"/> is
/// <see cref="BeginUploadResult.Started"/>, <see cref="Attempt"/> names this upload to every later call and
/// <see cref="LeaseUntil"/> is how long it holds the slot unless it renews; when it is
/// <see cref="BeginUploadResult.InProgress"/>, <see cref="LeaseUntil"/> is when the other upload's lease runs out.
/// </summary>
public sealed record UploadBegin(BeginUploadResult Outcome, string? Attempt = null, DateTimeOffset? LeaseUntil = null)
{
    /// <summary>True when this upload took the slot from an earlier one whose lease had lapsed (its process died).</summary>
    public bool TookOver { get; init; }

    public static UploadBegin NotFound { get; } = new(BeginUploadResult.NotFound);

    public static UploadBegin Expired { get; } = new(BeginUploadResult.Expired);

    public static UploadBegin AlreadyStored { get; } = new(BeginUploadResult.AlreadyStored);
}
