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
}
