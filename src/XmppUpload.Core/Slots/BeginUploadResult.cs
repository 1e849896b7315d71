namespace XmppUpload.Core.Slots;

/// <summary>Whether a PUT may start streaming into a slot.</summary>
public enum BeginUploadResult
{
    Started,
    NotFound,
    Expired,
    InProgress,
    AlreadyStored,
}
