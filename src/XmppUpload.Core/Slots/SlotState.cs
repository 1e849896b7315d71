namespace XmppUpload.Core.Slots;

/// <summary>Where a slot is in its life: granted, receiving bytes, serving them, or gone.</summary>
public enum SlotState
{
    /// <summary>Granted; a PUT is accepted until the PUT deadline.</summary>
    Pending,

    /// <summary>A PUT is streaming its body; a failed or aborted upload returns the slot to Pending.</summary>
    Uploading,

    /// <summary>The file is committed and served until its retention ends.</summary>
    Stored,

    /// <summary>Expired or removed; never served again.</summary>
    Deleted,
}
