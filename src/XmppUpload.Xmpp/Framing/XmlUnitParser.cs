using System.Buffers;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.Framing;

/// <summary>
/// Parses the units <see cref="XmlStreamScanner"/> delimits. The reader never processes a DTD nor resolves anything
/// external; stanzas are parsed with the stream header's namespace declarations in scope, as if still inside the
/// stream element, so <c>&lt;iq/&gt;</c> is <c>{jabber:component:accept}iq</c> and the <c>stream</c> prefix resolves.
/// </summary>
internal static class XmlUnitParser
{
    // Throws on invalid UTF-8 instead of substituting U+FFFD (RFC 6120 section 11.6: such a stream is refused).
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly XmlReaderSettings HeaderSettings = CreateSettings(ConformanceLevel.Document);
    private static readonly XmlReaderSettings StanzaSettings = CreateSettings(ConformanceLevel.Fragment);

    public static StreamHeader ParseHeader(ReadOnlySequence<byte> unit)
    {
        var text = Decode(unit);
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), HeaderSettings);
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.XmlDeclaration)
                {
                    var encoding = reader.GetAttribute("encoding");
                    if (encoding is not null && !string.Equals(encoding, "UTF-8", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new XmppStreamException(StreamErrorCondition.UnsupportedEncoding, "The stream must be encoded in UTF-8.");
                    }
                }
                else if (reader.NodeType == XmlNodeType.Element)
                {
                    return ReadHeader(reader);
                }
            }
        }
        catch (XmlException exception)
        {
            throw new XmppStreamException(StreamErrorCondition.NotWellFormed, "The stream header is not well-formed XML.", exception);
        }

        throw new XmppStreamException(StreamErrorCondition.BadFormat, "The stream has no header.");
    }

    public static XElement ParseStanza(ReadOnlySequence<byte> unit, StreamHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var text = Decode(unit);

        // A fresh manager per stanza: the reader pushes scopes onto it, and a failed parse may leave them pushed.
        var names = new NameTable();
        var namespaces = new XmlNamespaceManager(names);
        foreach (var (prefix, uri) in header.Namespaces)
        {
            namespaces.AddNamespace(prefix, uri);
        }

        var context = new XmlParserContext(names, namespaces, header.Language, XmlSpace.None);
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), StanzaSettings, context);
            reader.MoveToContent();
            if (reader.NodeType != XmlNodeType.Element)
            {
                throw new XmppStreamException(StreamErrorCondition.BadFormat, "A top-level unit is not an element.");
            }

            var element = XElement.Load(reader, LoadOptions.None);
            if (header.Language is not null && element.Attribute(XmppNames.Lang) is null)
            {
                // RFC 6120 section 4.7.4: a stanza without xml:lang is in the stream's language.
                element.SetAttributeValue(XmppNames.Lang, header.Language);
            }

            return element;
        }
        catch (XmlException exception)
        {
            throw new XmppStreamException(StreamErrorCondition.NotWellFormed, "A stanza is not well-formed XML.", exception);
        }
    }

    private static StreamHeader ReadHeader(XmlReader reader)
    {
        if (reader.LocalName != "stream" || reader.NamespaceURI != XmppNames.StreamsNamespace)
        {
            throw new XmppStreamException(
                StreamErrorCondition.InvalidNamespace,
                $"The stream element must be 'stream' in '{XmppNames.StreamsNamespace}'.");
        }

        string? id = null;
        string? from = null;
        string? language = null;
        string? defaultNamespace = null;
        var namespaces = new List<KeyValuePair<string, string>>();
        while (reader.MoveToNextAttribute())
        {
            if (reader.NamespaceURI == XmlReservedNamespaces.Xmlns)
            {
                var prefix = reader.Prefix.Length == 0 ? string.Empty : reader.LocalName;
                if (prefix.Length == 0)
                {
                    defaultNamespace = reader.Value;
                }

                namespaces.Add(new(prefix, reader.Value));
            }
            else if (reader.NamespaceURI == XmlReservedNamespaces.Xml && reader.LocalName == "lang")
            {
                language = reader.Value;
            }
            else if (reader.NamespaceURI.Length == 0)
            {
                switch (reader.LocalName)
                {
                    case "id":
                        id = reader.Value;
                        break;
                    case "from":
                        from = reader.Value;
                        break;
                }
            }
        }

        if (defaultNamespace != XmppNames.ComponentNamespace)
        {
            throw new XmppStreamException(
                StreamErrorCondition.InvalidNamespace,
                $"The stream's default namespace must be '{XmppNames.ComponentNamespace}'.");
        }

        return new StreamHeader(id, from, language, namespaces);
    }

    private static string Decode(ReadOnlySequence<byte> unit)
    {
        try
        {
            return StrictUtf8.GetString(unit);
        }
        catch (DecoderFallbackException exception)
        {
            throw new XmppStreamException(StreamErrorCondition.UnsupportedEncoding, "The stream is not valid UTF-8.", exception);
        }
    }

    private static XmlReaderSettings CreateSettings(ConformanceLevel conformance) => new()
    {
        ConformanceLevel = conformance,
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        CheckCharacters = true,
        IgnoreComments = false,
        IgnoreProcessingInstructions = false,
        CloseInput = true,
    };
}
