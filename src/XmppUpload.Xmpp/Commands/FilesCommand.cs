using System.Globalization;
using System.Xml.Linq;
using XmppUpload.Core.Accounts;
using XmppUpload.Core.Addressing;
using XmppUpload.Core.Slots;

namespace XmppUpload.Xmpp.Commands;

/// <summary>
/// "List my uploaded files": one stage that completes with a result table of the requester's stored files, newest
/// first, at most <see cref="MaxRows"/> of them so the answer stays well under the servers' stanza size limits.
/// </summary>
internal sealed class FilesCommand : IAdHocCommand
{
    public const string NodeName = "files";
    public const int MaxRows = 200;

    private readonly AccountService _accounts;

    public FilesCommand(AccountService accounts)
    {
        _accounts = accounts;
    }

    public string Node => NodeName;

    public string Name => "List my uploaded files";

    public async Task<CommandStep> StartAsync(string owner, CancellationToken cancellationToken)
    {
        var files = await _accounts.ListFilesAsync(owner, cancellationToken);
        if (files.Count == 0)
        {
            return CommandStep.Completed(null, CommandNote.Info("You have no uploaded files stored on this service."));
        }

        var form = DataForm.Create(
            "result",
            $"Files of {owner}",
            DataForm.Reported(
            [
                ("name", "Name"),
                ("size", "Size"),
                ("bytes", "Size (bytes)"),
                ("purpose", "Purpose"),
                ("stored", "Stored"),
                ("expires", "Expires"),
                ("url", "URL"),
            ]),
            files.Take(MaxRows).Select(Row));
        var note = files.Count > MaxRows
            ? CommandNote.Warn(string.Create(CultureInfo.InvariantCulture, $"You have {files.Count} files; these are the newest {MaxRows}."))
            : CommandNote.Info(files.Count == 1 ? "You have 1 file." : string.Create(CultureInfo.InvariantCulture, $"You have {files.Count} files."));
        return CommandStep.Completed(form, note);
    }

    public Task<CommandStep> ContinueAsync(string owner, CommandSession session, XElement? form, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("The files command has a single stage and opens no session.");

    private static XElement Row(AccountFile file) => DataForm.Item(
    [
        ("name", file.FileName),
        ("size", Humanize.Bytes(file.Size)),
        ("bytes", file.Size.ToString(CultureInfo.InvariantCulture)),
        ("purpose", PurposeNames.ElementName(file.Purpose)),
        ("stored", file.StoredAt is { } stored ? XmppDateTime.Format(stored) : string.Empty),
        // XEP-0082 DateTime in UTC, or "never" for files kept until deleted.
        ("expires", file.ExpiresAt is { } expires ? XmppDateTime.Format(expires) : "never"),
        ("url", file.GetUrl.AbsoluteUri),
    ]);
}
