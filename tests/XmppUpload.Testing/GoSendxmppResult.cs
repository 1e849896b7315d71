using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace XmppUpload.Testing;

/// <summary>How a go-sendxmpp run ended, with the upload slot it received (parsed from its --debug stream dump).</summary>
public sealed partial class GoSendxmppResult
{
    private static readonly XNamespace UploadNamespace = "urn:xmpp:http:upload:0";

    internal GoSendxmppResult(int exitCode, string output)
    {
        ExitCode = exitCode;
        Output = output;
        var match = SlotElement().Match(output);
        if (match.Success)
        {
            SlotXml = match.Value;
            try
            {
                var slot = XElement.Parse(match.Value);
                PutUrl = (string?)slot.Element(UploadNamespace + "put")?.Attribute("url");
                GetUrl = (string?)slot.Element(UploadNamespace + "get")?.Attribute("url");
            }
            catch (System.Xml.XmlException)
            {
                // Left null: the assertion on GetUrl then shows Output.
            }
        }
    }

    public int ExitCode { get; }

    /// <summary>stdout and stderr, including the XML stream (go-sendxmpp runs with --debug).</summary>
    public string Output { get; }

    /// <summary>The &lt;slot/&gt; the upload service returned, as received; null if none was seen.</summary>
    public string? SlotXml { get; }

    public string? PutUrl { get; }

    /// <summary>The URL go-sendxmpp sent to the recipient.</summary>
    public string? GetUrl { get; }

    public override string ToString() => $"go-sendxmpp exited with {ExitCode}{Environment.NewLine}{Output}";

    [GeneratedRegex(@"<slot\b[^>]*xmlns=['""]urn:xmpp:http:upload:0['""][^>]*>.*?</slot>", RegexOptions.Singleline)]
    private static partial Regex SlotElement();
}
