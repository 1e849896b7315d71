using System.Text;
using System.Xml;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace XmppUpload.Http.Dav;

/// <summary>Writes a 207 Multi-Status body (RFC 4918 section 13) with one XmlWriter; sent once complete.</summary>
internal sealed class DavMultiStatus : IDisposable
{
    private static readonly XmlWriterSettings WriterSettings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        Indent = false,
        CloseOutput = false,
    };

    private readonly MemoryStream _buffer = new();
    private readonly XmlWriter _writer;

    public DavMultiStatus()
    {
        _writer = XmlWriter.Create(_buffer, WriterSettings);
        _writer.WriteStartDocument();
        _writer.WriteStartElement("D", "multistatus", DavXml.DavNamespace);
        _writer.WriteAttributeString("xmlns", "x", null, DavXml.JidListNamespace);
    }

    public XmlWriter Writer => _writer;

    public static string StatusLine(int status) => $"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}";

    public void StartResponse(string href)
    {
        _writer.WriteStartElement("response", DavXml.DavNamespace);
        _writer.WriteElementString("href", DavXml.DavNamespace, href);
    }

    public void EndResponse() => _writer.WriteEndElement();

    public void StartPropStat() => _writer.WriteStartElement("propstat", DavXml.DavNamespace);

    /// <summary>Ends the <c>prop</c> opened by the caller, writes the status (and an error condition), ends the propstat.</summary>
    public void EndPropStat(int status, string? errorCondition = null)
    {
        _writer.WriteElementString("status", DavXml.DavNamespace, StatusLine(status));
        if (errorCondition is not null)
        {
            _writer.WriteStartElement("error", DavXml.DavNamespace);
            _writer.WriteElementString(errorCondition, DavXml.DavNamespace, string.Empty);
            _writer.WriteEndElement();
        }

        _writer.WriteEndElement();
    }

    public void WriteStatus(string href, int status)
    {
        StartResponse(href);
        _writer.WriteElementString("status", DavXml.DavNamespace, StatusLine(status));
        EndResponse();
    }

    public async Task SendAsync(HttpContext context)
    {
        _writer.WriteEndElement();
        _writer.WriteEndDocument();
        _writer.Flush();
        var response = context.Response;
        response.StatusCode = StatusCodes.Status207MultiStatus;
        response.ContentType = "application/xml; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.ContentLength = _buffer.Length;
        _buffer.Position = 0;
        await _buffer.CopyToAsync(response.Body, context.RequestAborted);
    }

    /// <summary>An error body with one precondition element (RFC 4918 section 16), e.g. propfind-finite-depth.</summary>
    public static Task WriteErrorAsync(HttpContext context, int status, string condition)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, WriterSettings))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement("D", "error", DavXml.DavNamespace);
            writer.WriteElementString(condition, DavXml.DavNamespace, string.Empty);
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }

        var body = buffer.ToArray();
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/xml; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    public void Dispose()
    {
        _writer.Dispose();
        _buffer.Dispose();
    }
}
