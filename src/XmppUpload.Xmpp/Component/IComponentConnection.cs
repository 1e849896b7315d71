using System.Xml.Linq;

namespace XmppUpload.Xmpp.Component;

/// <summary>
/// The component's link to its XMPP server, as other parts of the service see it: its state (for health checks),
/// sending stanzas, and sending IQs whose responses it waits for (for example XEP-0070 confirmations).
/// </summary>
public interface IComponentConnection : IStanzaSender
{
    /// <summary>The component's address (configuration key <c>Xmpp:Domain</c>).</summary>
    string Domain { get; }

    ComponentLinkState State { get; }

    /// <summary>While <see cref="State"/> is <see cref="ComponentLinkState.Standby"/>: the node that holds the link, when known.</summary>
    string? LinkHolder { get; }

    bool IsConnected { get; }

    /// <summary>Completes when the link is authenticated (at once if it is now).</summary>
    Task WaitUntilConnectedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Sends an IQ get or set and returns its response stanza, of type <c>result</c> or <c>error</c>; waits at most
    /// <c>Xmpp:IqTimeout</c>, then throws <see cref="TimeoutException"/>. An IQ without <c>id</c> gets a unique one.
    /// </summary>
    Task<XElement> SendIqAsync(XElement iq, CancellationToken cancellationToken);

    /// <summary>As <see cref="SendIqAsync(XElement, CancellationToken)"/>, waiting at most <paramref name="timeout"/>.</summary>
    Task<XElement> SendIqAsync(XElement iq, TimeSpan timeout, CancellationToken cancellationToken);
}
