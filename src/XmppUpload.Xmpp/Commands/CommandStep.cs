using System.Xml.Linq;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.Commands;

/// <summary>
/// What one stage of a command answers: a status with notes and an optional data form, or a stanza error (the request
/// itself was wrong, XEP-0050 section 4.4). <see cref="Choices"/> is what an executing stage offered, kept in the
/// session so the next stage accepts nothing else.
/// </summary>
internal sealed record CommandStep(
    CommandStatus Status,
    IReadOnlyList<CommandNote> Notes,
    XElement? Form,
    IReadOnlyDictionary<string, string>? Choices,
    StanzaError? Error)
{
    public static CommandStep Completed(XElement? form, params CommandNote[] notes) => new(CommandStatus.Completed, notes, form, null, null);

    public static CommandStep Executing(XElement form, IReadOnlyDictionary<string, string> choices, params CommandNote[] notes) =>
        new(CommandStatus.Executing, notes, form, choices, null);

    public static CommandStep Fail(StanzaError error) => new(CommandStatus.Completed, [], null, null, error);
}
