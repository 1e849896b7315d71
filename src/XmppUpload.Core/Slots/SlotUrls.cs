namespace XmppUpload.Core.Slots;

/// <summary>
/// Builds the URLs of a slot: <c>{public base}/{slot id}/{file name}</c>, the name percent-encoded as RFC 3986
/// section 2.1 asks for every character outside the unreserved set (XEP-0363 section 5: non-ASCII MUST be encoded).
/// </summary>
public sealed class SlotUrls
{
    private readonly string _base;

    public SlotUrls(Uri publicBase)
    {
        ArgumentNullException.ThrowIfNull(publicBase);
        _base = publicBase.AbsoluteUri.TrimEnd('/');
    }

    public Uri For(string slotId, string fileName) => new($"{_base}/{slotId}/{EncodeSegment(fileName)}");

    /// <summary>The path under the public base, as it appears in a request line: <c>/{id}/{encoded name}</c>.</summary>
    public static string PathFor(string slotId, string fileName) => $"/{slotId}/{EncodeSegment(fileName)}";

    public static string EncodeSegment(string value) => Uri.EscapeDataString(value);
}
