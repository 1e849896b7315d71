namespace XmppUpload.Xmpp.Framing;

/// <summary>
/// One step of <see cref="XmlStreamScanner"/>. Offsets count from the start of the scanned buffer: the unit's markup
/// is <c>[Start, Length)</c>, and <see cref="Length"/> bytes (leading whitespace included) are to be consumed.
/// </summary>
internal readonly record struct XmlScanResult(XmlUnitKind Kind, long Start, long Length, StreamErrorCondition Error, string? ErrorText)
{
    public static XmlScanResult NeedMoreData { get; } = new(XmlUnitKind.NeedMoreData, 0, 0, default, null);

    public static XmlScanResult Unit(XmlUnitKind kind, long start, long length) => new(kind, start, length, default, null);

    public static XmlScanResult Failure(StreamErrorCondition error, string text) => new(XmlUnitKind.Error, 0, 0, error, text);
}
