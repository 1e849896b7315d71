using System.CommandLine;
using System.CommandLine.Help;
using XmppUpload.Core.Addressing;

namespace XmppUpload.Node.Admin;

/// <summary>
/// The operator verbs of the node executable: <c>usage</c>, <c>files</c>, <c>purge</c>, <c>sweep</c>, <c>keys</c> and <c>help</c>.
/// Arguments of the form <c>--Key=value</c> are configuration, as for the node, so a verb reads the same data directory
/// or database as the node it is pointed at.
/// </summary>
internal static class AdminCommandLine
{
    private const string ConfirmOptionName = "--yes";

    private const string JsonOptionName = "--json";

    private const string AccountArgumentName = "jid";

    private static readonly string[] HelpTokens = ["help", "--help", "-h", "-?", "/?", "/h"];

    // Options of the verbs themselves; any other --name=value is a configuration key.
    private static readonly string[] OwnOptions = [JsonOptionName, ConfirmOptionName, "--help", "--version"];

    /// <summary>
    /// True when the first argument is a verb, a help flag or any other bare word. The node itself takes only
    /// configuration (<c>--Key=value</c>, <c>Key=value</c>), so a bare word is a verb, and a mistyped one is reported
    /// rather than silently starting the node.
    /// </summary>
    public static bool IsAdminInvocation(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0)
        {
            return false;
        }

        var first = args[0];
        return HelpTokens.Contains(first, StringComparer.Ordinal)
            || (first.Length > 0 && char.IsAsciiLetter(first[0]) && !first.Contains('=', StringComparison.Ordinal));
    }

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var (commandArgs, configurationArgs) = Split(args);
        var root = Build(configurationArgs, output, error);
        // No response files: "@example.org" is a (bad) account here, never a file of arguments to read.
        var parsed = root.Parse(commandArgs, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Errors.Count > 0 && parsed.Action is not HelpAction)
        {
            foreach (var parseError in parsed.Errors)
            {
                await error.WriteLineAsync(parseError.Message);
            }

            await error.WriteLineAsync("Run 'XmppUpload.Node help' for the verbs; configuration is given as --Key=value, e.g. --Storage:Path=/var/lib/xmppupload.");
            return AdminExitCodes.UsageError;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
    }

    private static RootCommand Build(string[] configurationArgs, TextWriter output, TextWriter error)
    {
        var json = new Option<bool>(JsonOptionName)
        {
            Description = "Print JSON (camelCase names, numbers as numbers, UTC ISO-8601 instants) instead of a table.",
            Recursive = true,
        };
        var confirm = new Option<bool>(ConfirmOptionName)
        {
            Description = "Confirm the purge. Without it nothing is removed: the command says what would go and exits with 2.",
        };

        var usage = new Command("usage", "Show an account's usage of each purpose bucket against its quota.") { Account() };
        usage.SetAction((parsed, cancellationToken) =>
            ForAccount(parsed, usage, (verbs, account, token) => verbs.UsageAsync(account, token), cancellationToken));

        var files = new Command("files", "List an account's stored files: id, name, size, type, purpose, stored and expiry times, URL.") { Account() };
        files.SetAction((parsed, cancellationToken) =>
            ForAccount(parsed, files, (verbs, account, token) => verbs.FilesAsync(account, token), cancellationToken));

        var purge = new Command("purge", "Remove every file, open slot and ledger row of an account (asks for --yes).") { Account(), confirm };
        purge.SetAction((parsed, cancellationToken) =>
            ForAccount(parsed, purge, (verbs, account, token) => verbs.PurgeAsync(account, parsed.GetValue(confirm), token), cancellationToken));

        var sweep = new Command("sweep", "Run the retention sweeper once: expire files, drop lapsed reservations, remove their blobs and orphans.");
        sweep.SetAction((parsed, cancellationToken) =>
            AdminHost.RunAsync(sweep.Name, configurationArgs, Output(parsed), (verbs, token) => verbs.SweepAsync(token), cancellationToken));

        var listKeys = new Command("list", "List the PUT-token signing keys: id, created, activates, retires, which one signs now (never a secret).");
        listKeys.SetAction((parsed, cancellationToken) => AdminHost.RunAsync<KeyVerbs>(
            "keys list", configurationArgs, Output(parsed), (verbs, token) => verbs.ListAsync(token), cancellationToken));
        var rotateKeys = new Command(
            "rotate",
            "Add a signing key that signs once every node has loaded it (after twice Tokens:KeyReloadInterval); the key it "
            + "replaces verifies until its last token has expired. Refused when Tokens:SigningKeys supplies the keys.");
        rotateKeys.SetAction((parsed, cancellationToken) => AdminHost.RunAsync<KeyVerbs>(
            "keys rotate", configurationArgs, Output(parsed), (verbs, token) => verbs.RotateAsync(token), cancellationToken));
        var keys = new Command("keys", "List or rotate the keys that sign PUT tokens.") { listKeys, rotateKeys };

        return new RootCommand(
            "XmppUpload node. With no verb it runs the node; with a verb it works on the node's data (Storage:Path) and exits. "
            + "Configuration is read as the node reads it (appsettings.json, environment, --Key=value). "
            + "Exit codes: 0 done, 1 failed, 2 wrong usage, bad configuration or purge not confirmed.")
        {
            json,
            usage,
            files,
            purge,
            sweep,
            keys,
        };

        AdminOutput Output(ParseResult parsed) => new(output, error, parsed.GetValue(json));

        async Task<int> ForAccount(
            ParseResult parsed, Command command, Func<AdminVerbs, string, CancellationToken, Task<int>> run, CancellationToken cancellationToken)
        {
            var given = parsed.GetValue<string>(AccountArgumentName) ?? string.Empty;
            if (!Jid.TryParse(given, out var jid))
            {
                await error.WriteLineAsync($"'{AdminText.Printable(given)}' is not a valid JID: give the account's bare JID, e.g. {command.Name} alice@example.org.");
                return AdminExitCodes.UsageError;
            }

            // Accounts are bare JIDs; a full JID (with a resource) names the same account.
            var account = jid.Bare.ToString();
            return await AdminHost.RunAsync(
                command.Name, configurationArgs, Output(parsed), (verbs, token) => run(verbs, account, token), cancellationToken);
        }
    }

    private static Argument<string> Account() => new(AccountArgumentName)
    {
        Description = "The account: a bare JID such as alice@example.org (a resource, if given, is ignored).",
    };

    private static (string[] Command, string[] Configuration) Split(string[] args)
    {
        var command = new List<string>(args.Length);
        var configuration = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 2 && !OwnOptions.Contains(arg[..equals], StringComparer.Ordinal))
            {
                configuration.Add(arg);
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal) && equals < 0 && arg.Contains(':', StringComparison.Ordinal) && i + 1 < args.Length)
            {
                // "--Section:Key value", which the node accepts too; only keys with a section, so that a mistyped
                // option of a verb is reported instead of swallowing the account that follows it.
                configuration.Add($"{arg}={args[++i]}");
            }
            else
            {
                command.Add(arg);
            }
        }

        // "help" and "help purge" are "--help" and "purge --help".
        if (command.Count > 0 && command[0] == "help")
        {
            command.RemoveAt(0);
            command.Add("--help");
        }

        return ([.. command], [.. configuration]);
    }
}
