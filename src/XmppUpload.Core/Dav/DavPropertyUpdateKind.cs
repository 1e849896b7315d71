namespace XmppUpload.Core.Dav;

/// <summary>What a <see cref="DavPropertyUpdate"/> does.</summary>
public enum DavPropertyUpdateKind
{
    SetDead,
    RemoveDead,
    SetJidList,
    RemoveJidList,
}
