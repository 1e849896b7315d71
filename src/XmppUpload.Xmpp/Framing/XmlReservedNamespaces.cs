namespace XmppUpload.Xmpp.Framing;

/// <summary>The two namespaces XML itself reserves (Namespaces in XML 1.0, section 3).</summary>
internal static class XmlReservedNamespaces
{
    public const string Xml = "http://www.w3.org/XML/1998/namespace";
    public const string Xmlns = "http://www.w3.org/2000/xmlns/";
}
