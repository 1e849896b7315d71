using System.Xml.Linq;

namespace XmppUpload.Xmpp.Commands;

/// <summary>Names of XEP-0050 (Ad-Hoc Commands): the namespace, its elements, actions and statuses.</summary>
internal static class AdHocNames
{
    public const string Namespace = "http://jabber.org/protocol/commands";

    public const string Execute = "execute";
    public const string Cancel = "cancel";
    public const string Complete = "complete";
    public const string Next = "next";
    public const string Prev = "prev";

    public const string Executing = "executing";
    public const string Completed = "completed";
    public const string Canceled = "canceled";

    public static readonly XNamespace Commands = Namespace;

    public static readonly XName Command = Commands + "command";
    public static readonly XName Actions = Commands + "actions";
    public static readonly XName Note = Commands + "note";

    /// <summary>XEP-0050 section 4.1: the values the 'action' attribute may take.</summary>
    public static bool IsAction(string value) => value is Execute or Cancel or Complete or Next or Prev;
}
