namespace XmppUpload.Core.Slots;

/// <summary>A granted slot as XEP-0363 section 5 returns it: the PUT and GET URLs and the headers the PUT must carry.</summary>
public sealed record GrantedSlot(Slot Slot, Uri PutUrl, Uri GetUrl, IReadOnlyList<KeyValuePair<string, string>> PutHeaders);
