namespace XmppUpload.Xmpp.Commands;

/// <summary>XEP-0050 section 4.1: the 'status' of a command response.</summary>
internal enum CommandStatus
{
    Executing,
    Completed,
    Canceled,
}
