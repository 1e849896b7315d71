using System.Globalization;
using System.Xml.Linq;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Slots;
using XmppUpload.Xmpp.Commands;
using XmppUpload.Xmpp.HttpAuth;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.Handlers;

/// <summary>
/// XEP-0030 disco#info: identity <c>store/file</c>, the features, one per enabled purpose (XEP-0363 "Upload purpose"),
/// and the XEP-0128 form with <c>max-file-size</c> (XEP-0363 section 4). With ad-hoc commands, also the XEP-0050
/// feature and the commands' nodes (XEP-0050 section 7.2 identities <c>automation/command-list</c> and
/// <c>automation/command-node</c>). With the WebDAV endpoint, also the XEP-0070 and XEP-0129 features
/// (<see cref="HttpAuthFeatures"/>).
/// </summary>
internal sealed class DiscoInfoHandler : IIqHandler
{
    private static readonly XNamespace DiscoInfo = XmppNames.DiscoInfoNamespace;
    private static readonly XNamespace DataForms = XmppNames.DataFormsNamespace;

    private static readonly string[] FixedFeatures =
    [
        XmppNames.DiscoInfoNamespace,
        XmppNames.DiscoItemsNamespace,
        XmppNames.HttpUploadNamespace,
        XmppNames.PingNamespace,
        XmppNames.VersionNamespace,
    ];

    private readonly UploadOptions _upload;
    private readonly CommandCatalog? _commands;
    private readonly HttpAuthFeatures? _httpAuth;

    public DiscoInfoHandler(UploadOptions upload, CommandCatalog? commands = null, HttpAuthFeatures? httpAuth = null)
    {
        _upload = upload;
        _commands = commands is { IsEmpty: false } ? commands : null;
        _httpAuth = httpAuth;
    }

    public XName Payload { get; } = DiscoInfo + "query";

    public ValueTask<XElement> HandleAsync(IqRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.IsGet)
        {
            return ValueTask.FromResult(request.GetOnly("Service discovery"));
        }

        // XEP-0030 section 3.1: the only nodes are the commands' ones; any other is an item that does not exist.
        var node = (string?)request.Payload.Attribute("node");
        if (node is not null)
        {
            return ValueTask.FromResult(CommandNodeInfo(request, node)
                ?? request.Error(StanzaError.ItemNotFound($"This service has no node '{Shorten(node)}'.")));
        }

        var query = new XElement(
            Payload,
            new XElement(
                DiscoInfo + "identity",
                new XAttribute("category", "store"),
                new XAttribute("type", "file"),
                new XAttribute("name", "HTTP File Upload")));
        var commands = _commands is null ? [] : new[] { AdHocNames.Namespace };
        var httpAuth = _httpAuth?.Features ?? [];
        foreach (var feature in FixedFeatures.Concat(commands).Concat(httpAuth).Concat(_upload.EnabledPurposes.Select(PurposeNames.Feature)))
        {
            query.Add(new XElement(DiscoInfo + "feature", new XAttribute("var", feature)));
        }

        query.Add(new XElement(
            DataForms + "x",
            new XAttribute("type", "result"),
            Field("FORM_TYPE", XmppNames.HttpUploadNamespace, hidden: true),
            Field("max-file-size", _upload.MaxFileSizeFor(Purpose.Message).ToString(CultureInfo.InvariantCulture), hidden: false)));
        return ValueTask.FromResult(request.Result(query));
    }

    private XElement? CommandNodeInfo(IqRequest request, string node)
    {
        if (_commands is null || !_commands.IsOfferedTo(request.From))
        {
            return null;
        }

        // XEP-0050 section 7.2: 'command-list' is the identity of the commands node itself, 'command-node' of a command.
        var (type, name, features) = node == AdHocNames.Namespace
            ? ("command-list", "Commands", new[] { AdHocNames.Namespace })
            : _commands.Find(node) is { } command
                ? ("command-node", command.Name, new[] { AdHocNames.Namespace, XmppNames.DataFormsNamespace })
                : default;
        if (type is null)
        {
            return null;
        }

        var query = new XElement(
            Payload,
            new XAttribute("node", node),
            new XElement(DiscoInfo + "identity", new XAttribute("category", "automation"), new XAttribute("type", type), new XAttribute("name", name)),
            features.Select(f => new XElement(DiscoInfo + "feature", new XAttribute("var", f))));
        return request.Result(query);
    }

    private static XElement Field(string name, string value, bool hidden)
    {
        var field = new XElement(DataForms + "field", new XAttribute("var", name));
        if (hidden)
        {
            field.Add(new XAttribute("type", "hidden"));
        }

        field.Add(new XElement(DataForms + "value", value));
        return field;
    }

    private static string Shorten(string value) => value.Length <= 64 ? value : string.Concat(value.AsSpan(0, 64), "...");
}
