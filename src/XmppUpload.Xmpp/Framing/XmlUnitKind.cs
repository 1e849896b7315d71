namespace XmppUpload.Xmpp.Framing;

/// <summary>What <see cref="XmlStreamScanner.Scan"/> found at the start of the buffer.</summary>
internal enum XmlUnitKind
{
    /// <summary>No complete unit yet: read more and scan again from the same start.</summary>
    NeedMoreData,

    /// <summary>Only whitespace (keepalives) between units: consume it.</summary>
    Whitespace,

    /// <summary>The opening <c>&lt;stream:stream&gt;</c> tag, with the XML declaration before it if any.</summary>
    StreamHeader,

    /// <summary>One complete top-level element inside the stream.</summary>
    Stanza,

    /// <summary>The closing <c>&lt;/stream:stream&gt;</c> tag.</summary>
    StreamEnd,

    /// <summary>The stream is broken; <see cref="XmlScanResult.Error"/> says how.</summary>
    Error,
}
