namespace XmppUpload.Core.Slots;

/// <summary>The XEP-0363 (1.2) upload purposes; each is a bucket with its own limits.</summary>
public enum Purpose
{
    Message,
    Profile,
    Ephemeral,
    Permanent,
}
