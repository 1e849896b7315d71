using XmppUpload.Core.Addressing;
using XmppUpload.Core.Slots;

namespace XmppUpload.Xmpp.Commands;

/// <summary>
/// The ad-hoc commands this component offers, and to whom: only accounts of the served domains (the same rule as for
/// uploads, <see cref="SlotService.Serves"/>). An empty catalog (the host registered no account service) offers none,
/// and disco then does not advertise the commands feature.
/// </summary>
internal sealed class CommandCatalog
{
    private readonly Dictionary<string, IAdHocCommand> _byNode;
    private readonly SlotService _slots;

    public CommandCatalog(IEnumerable<IAdHocCommand> commands, SlotService slots)
    {
        Commands = [.. commands];
        _byNode = Commands.ToDictionary(c => c.Node, StringComparer.Ordinal);
        _slots = slots;
    }

    public IReadOnlyList<IAdHocCommand> Commands { get; }

    public bool IsEmpty => Commands.Count == 0;

    public IAdHocCommand? Find(string node) => _byNode.GetValueOrDefault(node);

    public bool IsOfferedTo(Jid requester) => _slots.Serves(requester);

    /// <summary>Whether <paramref name="from"/> (as the server stamped it) is an account the commands are for.</summary>
    public bool IsOfferedTo(string from) => Jid.TryParse(from, out var requester) && IsOfferedTo(requester);
}
