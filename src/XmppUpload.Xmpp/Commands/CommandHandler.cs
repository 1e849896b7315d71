using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Addressing;
using XmppUpload.Xmpp.Handlers;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.Commands;

/// <summary>
/// XEP-0050 command execution (IQ set of <c>&lt;command/&gt;</c>). Checks the requester (a served account), the node and
/// the action; starts a command or continues the requester's own session; and answers with the command's status,
/// notes and form. Errors follow XEP-0050 section 4.4 and always carry a text.
/// </summary>
internal sealed class CommandHandler : IIqHandler
{
    private readonly CommandCatalog _catalog;
    private readonly CommandSessions _sessions;
    private readonly ILogger<CommandHandler> _logger;

    public CommandHandler(CommandCatalog catalog, CommandSessions sessions, ILogger<CommandHandler> logger)
    {
        _catalog = catalog;
        _sessions = sessions;
        _logger = logger;
    }

    public XName Payload => AdHocNames.Command;

    public async ValueTask<XElement> HandleAsync(IqRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var command = request.Payload;
        var node = (string?)command.Attribute("node");

        // The stanza's span says which command ran and at which step (a known node only: the value is low-cardinality).
        if (System.Diagnostics.Activity.Current is { } activity && node is not null && _catalog.Find(node) is not null)
        {
            activity.SetTag("xmpp.command.node", node);
            activity.SetTag("xmpp.command.action", (string?)command.Attribute("action") ?? "execute");
        }

        if (request.IsGet)
        {
            return Refuse(request, node, StanzaError.BadRequest("Ad-hoc commands are executed with IQ type 'set' (XEP-0050 section 4.1), not 'get'."));
        }

        if (!Jid.TryParse(request.From, out var requester))
        {
            return Refuse(request, node, StanzaError.JidMalformed($"The sender address '{Shorten(request.From)}' is not a valid JID."));
        }

        if (string.IsNullOrEmpty(node))
        {
            return Refuse(request, node, StanzaError.BadRequest("The command has no 'node'; list the commands with disco#items on the node 'http://jabber.org/protocol/commands'."));
        }

        var action = (string?)command.Attribute("action") ?? AdHocNames.Execute;
        if (!AdHocNames.IsAction(action))
        {
            return Refuse(request, node, CommandError(
                "bad-request",
                StanzaError.Modify,
                "malformed-action",
                $"The action '{Shorten(action)}' is not one of execute, cancel, prev, next or complete."));
        }

        if (!_catalog.IsOfferedTo(requester))
        {
            return Refuse(request, node, StanzaError.Forbidden(
                $"The upload commands are for accounts of the domains this service serves; '{Shorten(requester.Domain)}' is not one of them."));
        }

        if (_catalog.Find(node) is not { } handler)
        {
            return Refuse(request, node, StanzaError.ItemNotFound($"This service has no command '{Shorten(node)}'."));
        }

        var owner = requester.Bare.ToString();
        var sessionId = (string?)command.Attribute("sessionid");
        if (string.IsNullOrEmpty(sessionId))
        {
            return await StartAsync(request, handler, requester.ToString(), owner, action, cancellationToken);
        }

        switch (_sessions.Find(requester.ToString(), sessionId, out var session))
        {
            case SessionLookup.Expired:
                return Refuse(request, node, CommandError(
                    "not-allowed", StanzaError.Cancel, "session-expired", "This command session has expired; run the command again."));
            case SessionLookup.Unknown:
            case SessionLookup.Found when session!.Node != node:
                // A session of another JID looks exactly like no session at all (XEP-0050 section 5).
                return Refuse(request, node, CommandError(
                    "bad-request", StanzaError.Modify, "bad-sessionid", "There is no such command session for you; run the command again."));
        }

        return await ContinueAsync(request, handler, session!, owner, action, cancellationToken);
    }

    private async Task<XElement> StartAsync(IqRequest request, IAdHocCommand handler, string requester, string owner, string action, CancellationToken cancellationToken)
    {
        // A one-off id: XEP-0050 responses carry a sessionid even when the command completes in one stage.
        var oneOff = Guid.NewGuid().ToString("N");
        if (action == AdHocNames.Cancel)
        {
            return Answer(request, handler.Node, oneOff, CommandStatus.Canceled, [], null);
        }

        if (action != AdHocNames.Execute)
        {
            return Refuse(request, handler.Node, CommandError(
                "bad-request", StanzaError.Modify, "bad-action", $"The action '{action}' continues a session; start the command with 'execute'."));
        }

        var step = await handler.StartAsync(owner, cancellationToken);
        if (step.Error is { } error)
        {
            return Refuse(request, handler.Node, error);
        }

        if (step.Status != CommandStatus.Executing)
        {
            Log.CommandCompleted(_logger, handler.Node, requester);
            return Answer(request, handler.Node, oneOff, step.Status, step.Notes, step.Form);
        }

        if (_sessions.Open(requester, owner, handler.Node, step.Choices ?? new Dictionary<string, string>()) is not { } session)
        {
            Log.CommandSessionsFull(_logger, handler.Node, requester);
            return Refuse(request, handler.Node, StanzaError.ServiceUnavailable(
                "Too many command sessions are open on this service; try again in a few minutes.", StanzaError.Wait));
        }

        return Answer(request, handler.Node, session.Id, step.Status, step.Notes, step.Form);
    }

    private async Task<XElement> ContinueAsync(IqRequest request, IAdHocCommand handler, CommandSession session, string owner, string action, CancellationToken cancellationToken)
    {
        var form = DataForm.Find(request.Payload);
        // XEP-0004 section 3.1: a form of type 'cancel' abandons the process, as the cancel action does.
        if (action == AdHocNames.Cancel || (form is not null && DataForm.TypeOf(form) == "cancel"))
        {
            _sessions.Close(session);
            return Answer(request, handler.Node, session.Id, CommandStatus.Canceled, [], null);
        }

        // The stage offers only 'complete' (also the default that 'execute' stands for); going back or on is not offered.
        if (action is AdHocNames.Next or AdHocNames.Prev)
        {
            return Refuse(request, handler.Node, CommandError(
                "bad-request", StanzaError.Modify, "bad-action", $"This stage offers only 'complete' (or 'cancel'), not '{action}'."));
        }

        var step = await handler.ContinueAsync(owner, session, form, cancellationToken);
        if (step.Error is { } error)
        {
            return Refuse(request, handler.Node, error);
        }

        if (step.Status != CommandStatus.Executing)
        {
            _sessions.Close(session);
            Log.CommandCompleted(_logger, handler.Node, session.Requester);
        }

        return Answer(request, handler.Node, session.Id, step.Status, step.Notes, step.Form);
    }

    private static XElement Answer(IqRequest request, string node, string sessionId, CommandStatus status, IReadOnlyList<CommandNote> notes, XElement? form)
    {
        var command = new XElement(
            AdHocNames.Command,
            new XAttribute("node", node),
            new XAttribute("sessionid", sessionId),
            new XAttribute("status", status switch
            {
                CommandStatus.Executing => AdHocNames.Executing,
                CommandStatus.Canceled => AdHocNames.Canceled,
                _ => AdHocNames.Completed,
            }));
        if (status == CommandStatus.Executing)
        {
            // XEP-0050 section 4.2: the actions allowed next; 'execute' names the default one.
            command.Add(new XElement(
                AdHocNames.Actions,
                new XAttribute("execute", AdHocNames.Complete),
                new XElement(AdHocNames.Commands + AdHocNames.Complete)));
        }

        foreach (var note in notes)
        {
            command.Add(new XElement(AdHocNames.Note, new XAttribute("type", note.Type), note.Text));
        }

        if (form is not null)
        {
            command.Add(form);
        }

        return request.Result(command);
    }

    private XElement Refuse(IqRequest request, string? node, StanzaError error)
    {
        Log.CommandRefused(_logger, node ?? "(none)", request.From, error.Condition, error.Text);
        return request.Error(error);
    }

    // XEP-0050 section 4.4: a general condition with an application-specific one in the commands namespace.
    private static StanzaError CommandError(string condition, string type, string specific, string text) =>
        new(condition, type, text, [new XElement(AdHocNames.Commands + specific)]);

    private static string Shorten(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "...");
}
