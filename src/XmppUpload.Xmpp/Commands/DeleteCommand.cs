using System.Globalization;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using XmppUpload.Core.Accounts;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.Commands;

/// <summary>
/// "Delete one of my files", in two stages. The first offers the requester's files in a list-single field (label: name
/// and size; value: slot id). The second deletes the chosen one, which must be one of the offered values: anything else
/// is a malformed payload (XEP-0050 section 4.4, <c>bad-request</c> with <c>&lt;bad-payload/&gt;</c>) and the session
/// stays open for a corrected submission. An offered file that is gone by then (expired, deleted from another client)
/// completes with an error note (XEP-0050 section 3.6: the command ran, and failed).
/// </summary>
internal sealed class DeleteCommand : IAdHocCommand
{
    public const string NodeName = "delete";
    public const string FileField = "file";
    public const int MaxOptions = 200;

    private readonly AccountService _accounts;
    private readonly ILogger<DeleteCommand> _logger;

    public DeleteCommand(AccountService accounts, ILogger<DeleteCommand> logger)
    {
        _accounts = accounts;
        _logger = logger;
    }

    public string Node => NodeName;

    public string Name => "Delete one of my files";

    public async Task<CommandStep> StartAsync(string owner, CancellationToken cancellationToken)
    {
        var files = await _accounts.ListFilesAsync(owner, cancellationToken);
        if (files.Count == 0)
        {
            return CommandStep.Completed(null, CommandNote.Info("You have no uploaded files stored on this service, so there is nothing to delete."));
        }

        var offered = files.Take(MaxOptions).Select(f => (Label: $"{f.FileName} ({Humanize.Bytes(f.Size)})", Value: f.SlotId)).ToList();
        var form = DataForm.Create(
            "form",
            Name,
            DataForm.Instructions("Choose the file to delete. It stops being served at once: links to it that you have shared stop working."),
            DataForm.ListSingle(FileField, "File", offered));
        var notes = files.Count > MaxOptions
            ? new[] { CommandNote.Warn(string.Create(CultureInfo.InvariantCulture, $"You have {files.Count} files; the newest {MaxOptions} are offered.")) }
            : [];
        return CommandStep.Executing(form, offered.ToDictionary(o => o.Value, o => o.Label, StringComparer.Ordinal), notes);
    }

    public async Task<CommandStep> ContinueAsync(string owner, CommandSession session, XElement? form, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (form is null)
        {
            return CommandStep.Fail(BadPayload("Submit the form with the file to delete."));
        }

        var values = DataForm.Values(form, FileField);
        if (values.Count != 1 || string.IsNullOrWhiteSpace(values[0]))
        {
            return CommandStep.Fail(BadPayload("Choose exactly one file to delete."));
        }

        // Only what this session offered, which came from this owner's own list; AccountService checks the owner again.
        var slotId = values[0].Trim();
        if (!session.Choices.TryGetValue(slotId, out var label))
        {
            return CommandStep.Fail(BadPayload("The chosen value is not one of the files this command offered; choose one from the list."));
        }

        if (!await _accounts.DeleteFileAsync(owner, slotId, cancellationToken))
        {
            return CommandStep.Completed(null, CommandNote.Error($"{label} is no longer stored (it expired or was deleted); nothing was deleted."));
        }

        Log.FileDeletedByOwner(_logger, owner, slotId);
        return CommandStep.Completed(null, CommandNote.Info($"Deleted {label}."));
    }

    private static StanzaError BadPayload(string text) =>
        new("bad-request", StanzaError.Modify, text, [new XElement(AdHocNames.Commands + "bad-payload")]);
}
