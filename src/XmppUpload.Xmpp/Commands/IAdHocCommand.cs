using System.Xml.Linq;

namespace XmppUpload.Xmpp.Commands;

/// <summary>
/// One XEP-0050 command of the service. <see cref="StartAsync"/> runs its first stage; a stage that answers
/// <see cref="CommandStatus.Executing"/> opens a session, and the requester's next submission goes to
/// <see cref="ContinueAsync"/>. Every call acts for <c>owner</c> only (the requester's bare JID).
/// </summary>
internal interface IAdHocCommand
{
    /// <summary>The disco node that names the command (XEP-0050 section 2.2).</summary>
    string Node { get; }

    /// <summary>The human-readable name shown in command lists.</summary>
    string Name { get; }

    Task<CommandStep> StartAsync(string owner, CancellationToken cancellationToken);

    /// <param name="form">The submitted XEP-0004 form, or <c>null</c> when the request carried none.</param>
    Task<CommandStep> ContinueAsync(string owner, CommandSession session, XElement? form, CancellationToken cancellationToken);
}
