namespace XmppUpload.Xmpp.Commands;

/// <summary>XEP-0050 section 4.3: a note for the user; <see cref="Type"/> is info, warn or error.</summary>
internal sealed record CommandNote(string Type, string Text)
{
    public static CommandNote Info(string text) => new("info", text);

    public static CommandNote Warn(string text) => new("warn", text);

    public static CommandNote Error(string text) => new("error", text);
}
