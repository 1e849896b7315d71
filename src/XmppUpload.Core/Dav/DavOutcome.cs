namespace XmppUpload.Core.Dav;

/// <summary>The expected outcomes of a change to the WebDAV tree, mapped once to HTTP statuses.</summary>
public enum DavOutcome
{
    Created,
    Replaced,
    Deleted,
    NotFound,
    AlreadyExists,
    ParentMissing,
    PreconditionFailed,
    NotOwner,
    IsCollection,
    OverQuota,
    TooLarge,
}
