using System.Reflection;
using System.Runtime.InteropServices;
using System.Xml.Linq;
using Microsoft.Extensions.Options;
using XmppUpload.Xmpp.Configuration;
using XmppUpload.Xmpp.Protocol;

namespace XmppUpload.Xmpp.Handlers;

/// <summary>XEP-0092: the software name and version; the operating system only when configured.</summary>
internal sealed class VersionHandler : IIqHandler
{
    public const string SoftwareName = "XmppUpload";

    private static readonly XNamespace Version = XmppNames.VersionNamespace;

    private readonly bool _reportOperatingSystem;

    public VersionHandler(IOptions<XmppOptions> options)
    {
        _reportOperatingSystem = options.Value.ReportOperatingSystem;
    }

    public static string SoftwareVersion { get; } =
        typeof(VersionHandler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(VersionHandler).Assembly.GetName().Version?.ToString()
        ?? "0.0.0";

    public XName Payload { get; } = Version + "query";

    public ValueTask<XElement> HandleAsync(IqRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.IsGet)
        {
            return ValueTask.FromResult(request.GetOnly("Software version"));
        }

        var query = new XElement(Payload, new XElement(Version + "name", SoftwareName), new XElement(Version + "version", SoftwareVersion));
        if (_reportOperatingSystem)
        {
            query.Add(new XElement(Version + "os", RuntimeInformation.OSDescription));
        }

        return ValueTask.FromResult(request.Result(query));
    }
}
