using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using XmppUpload.Core.Configuration;
using XmppUpload.Core.Slots;
using XmppUpload.Core.Tokens;
using XmppUpload.Testing;
using XmppUpload.Xmpp.Component;
using XmppUpload.Xmpp.Configuration;
using XmppUpload.Xmpp.Handlers;

namespace XmppUpload.Xmpp.Tests.Support;

/// <summary>The real domain core (SlotService, tokens, URLs) over an in-memory ledger and a fake clock.</summary>
internal sealed class UploadService
{
    public const string Domain = "upload.montague.tld";

    public static readonly SigningKey Key = new("k1", Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), DateTimeOffset.UnixEpoch);

    public UploadService(Action<UploadOptions>? configure = null, bool reportOperatingSystem = false)
    {
        Upload = new UploadOptions { MaxFileSize = 1000 };
        Upload.Purposes["profile"] = new PurposeOptions { MaxFileSize = 100 };
        configure?.Invoke(Upload);
        Tokens = new SlotTokens(() => [Key]);
        Slots = new SlotService(Ledger, Tokens, new SlotUrls(new Uri("https://upload.montague.tld/files/")), Upload, ["montague.tld"], Time);
        XmppOptions = new XmppOptions { Domain = Domain, Secret = "s3cret", ReportOperatingSystem = reportOperatingSystem };
        Dispatcher = new StanzaDispatcher(
            [
                new DiscoInfoHandler(Upload),
                new DiscoItemsHandler(),
                new PingHandler(),
                new VersionHandler(Options.Create(XmppOptions)),
                new SlotRequestHandler(Slots, Upload, Time, NullLogger<SlotRequestHandler>.Instance),
            ],
            Pending,
            Options.Create(XmppOptions),
            NullLogger<StanzaDispatcher>.Instance);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));

    public MemoryLedger Ledger { get; } = new();

    public UploadOptions Upload { get; }

    public SlotTokens Tokens { get; }

    public SlotService Slots { get; }

    public XmppOptions XmppOptions { get; }

    public PendingIqs Pending { get; } = new();

    public StanzaDispatcher Dispatcher { get; }
}
