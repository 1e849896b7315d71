namespace XmppUpload.Core.Slots;

/// <summary>Whether a PUT may start streaming into a slot.</summary>
public enum BeginUploadResult
{
    Started,
    NotFound,
    Expired,

    /// <summary>Another upload holds the slot with a lease that has not run out.</summary>
    InProgress,
    AlreadyStored,
}
