namespace XmppUpload.Core.Accounts;

/// <summary>What happens to a slot request that would take a bucket over its quota.</summary>
public enum OverQuotaRule
{
    /// <summary>Refuse with <c>resource-constraint</c> (and a retry stamp when space frees at a known time).</summary>
    Reject,

    /// <summary>Remove the bucket's oldest stored files until the new file fits (XEP-0363 section "Upload purpose").</summary>
    EvictOldest,
}
