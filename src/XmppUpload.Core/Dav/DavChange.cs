namespace XmppUpload.Core.Dav;

/// <summary>
/// The result of a change: its outcome, and the blobs that no resource refers to any more once it committed (the
/// caller deletes them after the store, so a crash leaves at worst an unreferenced blob, never a dangling row).
/// </summary>
public sealed record DavChange(DavOutcome Outcome, IReadOnlyList<string> OrphanedBlobs, DavResource? Resource = null)
{
    public static DavChange Of(DavOutcome outcome) => new(outcome, []);
}
