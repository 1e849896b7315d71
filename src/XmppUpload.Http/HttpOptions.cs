namespace XmppUpload.Http;

/// <summary>
/// Settings of the upload endpoints (configuration section <c>Http</c>). Kestrel's listening endpoints and
/// certificates are not here: the host configures them through the standard <c>Kestrel</c> section
/// (<c>Kestrel:Endpoints:Https:Url</c>, <c>Kestrel:Endpoints:Https:Certificate:Path</c>, ...).
/// </summary>
public sealed class HttpOptions
{
    public const string SectionName = "Http";

    /// <summary>
    /// The absolute http or https URL that every slot URL starts with, e.g. <c>https://upload.example.org/files/</c>;
    /// its path is where the routes live (<c>/files/{slot id}/{file name}</c>). XEP-0363 section 5 requires https;
    /// plain http suits only a TLS-terminating proxy in front of the node, and then the proxy's https URL belongs here.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// Origins that web clients may upload from (XEP-0363 section 9, CORS): <c>*</c> for any origin, or origins
    /// such as <c>https://web.example.org</c> separated by spaces or commas. A listed origin is echoed back and may
    /// send credentials; <c>*</c> never allows credentials.
    /// </summary>
    public string CorsAllowedOrigins { get; set; } = "*";

    /// <summary>
    /// How long a stored file's ledger record, once read for a GET or HEAD, answers further requests for it without
    /// another ledger read (zero: never). A file deleted meanwhile may be served for at most this long, unless its bytes
    /// are already gone. Between zero and one minute.
    /// </summary>
    public TimeSpan StoredSlotCacheDuration { get; set; } = TimeSpan.FromSeconds(5);
}
