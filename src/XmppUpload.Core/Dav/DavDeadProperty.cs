namespace XmppUpload.Core.Dav;

/// <summary>A dead property (RFC 4918 section 4.2): the client's element, kept as self-contained XML.</summary>
public sealed record DavDeadProperty(string Namespace, string Name, string Xml);
