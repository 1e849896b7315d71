using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace XmppUpload.Http.Dav;

/// <summary>
/// Request bodies of PROPFIND and PROPPATCH: read up to <see cref="MaxBodyBytes"/>, parsed with DTDs prohibited and no
/// resolver, so neither entity expansion nor external fetches can happen.
/// </summary>
internal static class DavXml
{
    public const string DavNamespace = "DAV:";
    public const string JidListNamespace = "http://www.xmpp.org/extensions/xep-0129.html#ns";
    public const int MaxBodyBytes = 1024 * 1024;

    public static readonly XNamespace Dav = DavNamespace;
    public static readonly XNamespace JidList = JidListNamespace;

    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxBodyBytes,
        MaxCharactersFromEntities = 0,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = false,
        CloseInput = false,
    };

    /// <summary>The parsed body, <c>null</c> for an empty one, or a refusal (status and reason).</summary>
    public static async Task<BodyRead> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is > MaxBodyBytes)
        {
            return new BodyRead(null, StatusCodes.Status413PayloadTooLarge, $"the XML body is larger than {MaxBodyBytes} bytes");
        }

        // Bounded: a property request is small, and the limit is checked while reading, whatever the framing says.
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return new BodyRead(null, StatusCodes.Status413PayloadTooLarge, $"the XML body is larger than {MaxBodyBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return new BodyRead(null, 0, null);
        }

        buffer.Position = 0;
        try
        {
            using var reader = XmlReader.Create(buffer, ReaderSettings);
            var document = XDocument.Load(reader, LoadOptions.None);
            return new BodyRead(document, 0, null);
        }
        catch (XmlException exception)
        {
            var reason = exception.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase)
                ? "the XML body has a DTD, which is not allowed"
                : "the XML body is not well-formed: " + exception.Message;
            return new BodyRead(null, StatusCodes.Status400BadRequest, reason);
        }
    }

    /// <summary>A property's element as self-contained XML, its namespace declarations included.</summary>
    public static string Serialize(XElement element) =>
        element.ToString(SaveOptions.DisableFormatting | SaveOptions.OmitDuplicateNamespaces);

    internal readonly record struct BodyRead(XDocument? Document, int Status, string? Reason);
}
