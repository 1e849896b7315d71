namespace XmppUpload.Core.Ports;

/// <summary>The result of <see cref="ILinkLeaseProvider.TryTakeAsync"/>: the lease, or the node that holds it instead.</summary>
public sealed class LinkLeaseAttempt
{
    private LinkLeaseAttempt(ILinkLease? lease, string? holder)
    {
        Lease = lease;
        Holder = holder;
    }

    /// <summary>The lease, now held by this node; <c>null</c> when another node holds it.</summary>
    public ILinkLease? Lease { get; }

    /// <summary>When another node holds the lease: its name, if the lease store knows it.</summary>
    public string? Holder { get; }

    public static LinkLeaseAttempt Taken(ILinkLease lease) => new(lease ?? throw new ArgumentNullException(nameof(lease)), null);

    public static LinkLeaseAttempt HeldElsewhere(string? holder) => new(null, holder);
}
