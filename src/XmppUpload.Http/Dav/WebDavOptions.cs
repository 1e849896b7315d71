namespace XmppUpload.Http.Dav;

/// <summary>The XEP-0129 WebDAV endpoint (configuration section <c>WebDav</c>).</summary>
public sealed class WebDavOptions
{
    public const string SectionName = "WebDav";

    public bool Enabled { get; set; } = true;

    /// <summary>Path under the public URL's host where the WebDAV tree lives.</summary>
    public string Path { get; set; } = "/dav/";

    /// <summary>How long a request waits for the user's XEP-0070 answer before it gets 401.</summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a confirmed (JID, transaction id) pair is accepted without asking again.</summary>
    public TimeSpan CredentialLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>At most this many confirmation prompts to one JID per <see cref="PromptWindow"/> (XEP-0070 section 7).</summary>
    public int PromptsPerWindow { get; set; } = 10;

    public TimeSpan PromptWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Bytes one account may keep in WebDAV files.</summary>
    public long Quota { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Largest WebDAV file in bytes.</summary>
    public long MaxFileSize { get; set; } = 100L * 1024 * 1024;
}
