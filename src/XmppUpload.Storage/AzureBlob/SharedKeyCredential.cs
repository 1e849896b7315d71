using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace XmppUpload.Storage.AzureBlob;

/// <summary>
/// Signs Blob service requests with the account's Shared Key, as "Authorize with Shared Key" (Azure Storage REST API)
/// describes for version 2015-02-21 and later: HMAC-SHA256 over a StringToSign of the verb, twelve standard headers,
/// the canonicalized <c>x-ms-</c> headers and the canonicalized resource.
/// </summary>
internal sealed class SharedKeyCredential
{
    private const string StoragePrefix = "x-ms-";

    private readonly byte[] _key;

    public SharedKeyCredential(string accountName, byte[] key)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountName);
        ArgumentNullException.ThrowIfNull(key);
        AccountName = accountName;
        _key = key;
    }

    public string AccountName { get; }

    /// <summary>Adds <c>Authorization: SharedKey {account}:{signature}</c>; every other header must be set already.</summary>
    public void Sign(HttpRequestMessage request)
    {
        var signature = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(StringToSign(request))));
        request.Headers.Authorization = new AuthenticationHeaderValue("SharedKey", $"{AccountName}:{signature}");
    }

    /// <summary>The StringToSign of <paramref name="request"/>, exactly as the service rebuilds it from what it receives.</summary>
    internal string StringToSign(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var content = request.Content?.Headers;
        var builder = new StringBuilder(256);
        builder.Append(request.Method.Method).Append('\n');
        builder.Append(Header(content, "Content-Encoding")).Append('\n');
        builder.Append(Header(content, "Content-Language")).Append('\n');
        // Since 2015-02-21 a zero length signs as empty: HttpClient sends "Content-Length: 0" on a PUT without a body,
        // and other clients send none; both must verify.
        var length = content?.ContentLength ?? 0;
        builder.Append(length == 0 ? string.Empty : length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        builder.Append(Header(content, "Content-MD5")).Append('\n');
        builder.Append(Header(content, "Content-Type")).Append('\n');
        // Empty when x-ms-date is sent, which this client always does.
        builder.Append(Header(request.Headers, "Date")).Append('\n');
        builder.Append(Header(request.Headers, "If-Modified-Since")).Append('\n');
        builder.Append(Header(request.Headers, "If-Match")).Append('\n');
        builder.Append(Header(request.Headers, "If-None-Match")).Append('\n');
        builder.Append(Header(request.Headers, "If-Unmodified-Since")).Append('\n');
        builder.Append(Header(request.Headers, "Range")).Append('\n');
        AppendCanonicalizedHeaders(builder, request);
        AppendCanonicalizedResource(builder, request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request)));
        return builder.ToString();
    }

    private static string Header(HttpHeaders? headers, string name) =>
        headers is not null && headers.NonValidated.TryGetValues(name, out var values) ? string.Join(',', values) : string.Empty;

    /// <summary>Every <c>x-ms-</c> header: lower-case name, sorted ordinally, value with its whitespace folded, one a line.</summary>
    private static void AppendCanonicalizedHeaders(StringBuilder builder, HttpRequestMessage request)
    {
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in request.Headers.NonValidated)
        {
            if (name.StartsWith(StoragePrefix, StringComparison.OrdinalIgnoreCase))
            {
                headers[name.ToLowerInvariant()] = FoldWhitespace(string.Join(',', values));
            }
        }

        foreach (var (name, value) in headers)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }
    }

    /// <summary>
    /// <c>/{account}{encoded path}</c>, then each query parameter as <c>\n{lower-case name}:{decoded values, sorted,
    /// comma-separated}</c>, sorted by name. A path-style endpoint (Azurite) repeats the account in the path, so its
    /// resource reads <c>/devstoreaccount1/devstoreaccount1/...</c>, as the service expects.
    /// </summary>
    private void AppendCanonicalizedResource(StringBuilder builder, Uri uri)
    {
        builder.Append('/').Append(AccountName).Append(uri.AbsolutePath);
        if (uri.Query.Length <= 1)
        {
            return;
        }

        var parameters = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in uri.Query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var name = Decode(equals < 0 ? pair : pair[..equals]).ToLowerInvariant();
            var value = equals < 0 ? string.Empty : Decode(pair[(equals + 1)..]);
            if (!parameters.TryGetValue(name, out var values))
            {
                parameters[name] = values = [];
            }

            values.Add(value);
        }

        foreach (var (name, values) in parameters)
        {
            values.Sort(StringComparer.Ordinal);
            builder.Append('\n').Append(name).Append(':').AppendJoin(',', values);
        }
    }

    private static string Decode(string component) => Uri.UnescapeDataString(component.Replace('+', ' '));

    private static string FoldWhitespace(string value)
    {
        var trimmed = value.AsSpan().Trim();
        var builder = new StringBuilder(trimmed.Length);
        var inWhitespace = false;
        foreach (var c in trimmed)
        {
            if (char.IsWhiteSpace(c))
            {
                if (!inWhitespace)
                {
                    builder.Append(' ');
                }

                inWhitespace = true;
            }
            else
            {
                builder.Append(c);
                inWhitespace = false;
            }
        }

        return builder.ToString();
    }
}
