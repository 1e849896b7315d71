namespace XmppUpload.Node.Admin;

/// <summary>
/// <c>Http:PublicUrl</c> as the verbs see it. Only <c>files</c> needs it (for the GET URLs); without it the files are
/// listed without URLs rather than not at all, since an operator may run the verbs with only the data directory at hand.
/// </summary>
internal sealed class AdminPublicUrl
{
    public const string Key = "Http:PublicUrl";

    // RFC 6761 reserves .invalid: if this base ever leaked into output it could not point anywhere.
    private static readonly Uri Placeholder = new("https://public-url-not-configured.invalid/");

    private AdminPublicUrl(Uri? url, string? problem)
    {
        Url = url;
        Problem = problem;
    }

    /// <summary>The configured base, or null when it is missing or unusable (see <see cref="Problem"/>).</summary>
    public Uri? Url { get; }

    public string? Problem { get; }

    /// <summary>What <see cref="Core.Slots.SlotUrls"/> is built from: the configured base, or a placeholder whose URLs are never shown.</summary>
    public Uri BaseForSlotUrls => Url ?? Placeholder;

    public static AdminPublicUrl Read(IConfiguration configuration)
    {
        var value = configuration[Key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return new AdminPublicUrl(null, $"{Key} is not set");
        }

        return Uri.TryCreate(value.Trim(), UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            ? new AdminPublicUrl(url, null)
            : new AdminPublicUrl(null, $"{Key} '{value}' is not an absolute http or https URL");
    }
}
