using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace XmppUpload.Storage.AzureBlob;

/// <summary>
/// The parts of an Azure Storage connection string that the blob store needs: the account, its Shared Key and the blob
/// service endpoint. Reads Azure's usual format (<c>Name=value</c> pairs separated by <c>;</c>, names
/// case-insensitive), including <c>UseDevelopmentStorage=true</c> for Azurite. Never prints the key.
/// </summary>
public sealed class AzureStorageConnectionString
{
    /// <summary>The emulator's well-known account (the same for Azurite and the old storage emulator).</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known, public key; not a secret.</summary>
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    /// <summary>Azurite's blob port; <c>DevelopmentStorageProxyUri</c> keeps it unless the proxy URI names another.</summary>
    public const int DevelopmentBlobPort = 10000;

    private const string DefaultEndpointSuffix = "core.windows.net";

    private static readonly SearchValues<char> AccountNameCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");

    private readonly byte[] _accountKey;

    private AzureStorageConnectionString(string accountName, byte[] accountKey, Uri blobEndpoint)
    {
        AccountName = accountName;
        _accountKey = accountKey;
        BlobEndpoint = blobEndpoint;
    }

    public string AccountName { get; }

    /// <summary>
    /// The blob service, without a trailing slash: <c>https://{account}.blob.core.windows.net</c>, or a path-style
    /// endpoint such as Azurite's <c>http://127.0.0.1:10000/devstoreaccount1</c>. Containers are below it.
    /// </summary>
    public Uri BlobEndpoint { get; }

    /// <summary>The decoded Shared Key (a copy).</summary>
    internal byte[] AccountKey => (byte[])_accountKey.Clone();

    /// <summary>Parses <paramref name="connectionString"/>.</summary>
    /// <exception cref="FormatException">It is malformed or lacks a part; the one-line message says which, never the key.</exception>
    public static AzureStorageConnectionString Parse(string? connectionString) =>
        TryParse(connectionString, out var parsed, out var error) ? parsed : throw new FormatException(error);

    /// <summary>Parses <paramref name="connectionString"/>; on failure <paramref name="error"/> says what is wrong in one line.</summary>
    public static bool TryParse(string? connectionString, [NotNullWhen(true)] out AzureStorageConnectionString? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        if (!TrySplit(connectionString, out var parts, out error))
        {
            return false;
        }

        parsed = parts.TryGetValue("UseDevelopmentStorage", out var development)
            ? ParseDevelopment(development, parts, out error)
            : ParseAccount(parts, out error);
        return parsed is not null;
    }

    public override string ToString() => $"AccountName={AccountName};BlobEndpoint={BlobEndpoint}";

    private static bool TrySplit(string? connectionString, out Dictionary<string, string> parts, [NotNullWhen(false)] out string? error)
    {
        parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            error = "the connection string is empty";
            return false;
        }

        var position = 0;
        foreach (var range in connectionString.AsSpan().Split(';'))
        {
            position++;
            var segment = connectionString.AsSpan(range).Trim();
            if (segment.IsEmpty)
            {
                continue;
            }

            // The first '=' separates: base64 keys and signatures end in '='.
            var equals = segment.IndexOf('=');
            if (equals <= 0)
            {
                // Not quoted back: a malformed segment may be a piece of the key.
                error = $"part {position} is not Name=value (expected pairs such as AccountName=...;AccountKey=... separated by ';')";
                return false;
            }

            var name = segment[..equals].Trim().ToString();
            if (!parts.TryAdd(name, segment[(equals + 1)..].Trim().ToString()))
            {
                error = $"{name} is given more than once";
                return false;
            }
        }

        if (parts.Count == 0)
        {
            error = "the connection string has no Name=value pairs";
            return false;
        }

        error = null;
        return true;
    }

    private static AzureStorageConnectionString? ParseDevelopment(string value, Dictionary<string, string> parts, out string? error)
    {
        if (!bool.TryParse(value, out var enabled) || !enabled)
        {
            error = "UseDevelopmentStorage must be 'true' when given (for Azure, give AccountName and AccountKey instead)";
            return null;
        }

        if (parts.ContainsKey("AccountName") || parts.ContainsKey("AccountKey"))
        {
            error = "UseDevelopmentStorage=true uses the emulator's account; remove AccountName and AccountKey, or remove UseDevelopmentStorage";
            return null;
        }

        Uri endpoint;
        if (parts.TryGetValue("BlobEndpoint", out var blobEndpoint))
        {
            // Not in Azure's own format, but the way to reach an Azurite on another port.
            if (!TryEndpoint("BlobEndpoint", blobEndpoint, out endpoint!, out error))
            {
                return null;
            }
        }
        else if (parts.TryGetValue("DevelopmentStorageProxyUri", out var proxy))
        {
            if (!TryEndpoint("DevelopmentStorageProxyUri", proxy, out var proxyUri, out error))
            {
                return null;
            }

            // As Azure's SDKs do: the proxy's scheme and host, the emulator's port and account path; an explicit
            // port in the proxy URI is kept, so a test can reach an Azurite on any port.
            var port = proxyUri.IsDefaultPort && !HasExplicitPort(proxy) ? DevelopmentBlobPort : proxyUri.Port;
            endpoint = new UriBuilder(proxyUri.Scheme, proxyUri.Host, port, DevelopmentAccountName).Uri;
        }
        else
        {
            endpoint = new Uri($"http://127.0.0.1:{DevelopmentBlobPort}/{DevelopmentAccountName}");
        }

        error = null;
        return new AzureStorageConnectionString(DevelopmentAccountName, Convert.FromBase64String(DevelopmentAccountKey), Trim(endpoint));
    }

    private static AzureStorageConnectionString? ParseAccount(Dictionary<string, string> parts, out string? error)
    {
        if (!parts.TryGetValue("AccountName", out var accountName) || accountName.Length == 0)
        {
            error = parts.ContainsKey("SharedAccessSignature")
                ? "SharedAccessSignature is not supported; give AccountName and AccountKey (Shared Key)"
                : "AccountName is missing (or use UseDevelopmentStorage=true for Azurite)";
            return null;
        }

        if (accountName.AsSpan().ContainsAnyExcept(AccountNameCharacters))
        {
            error = "AccountName may hold only letters, digits and '-'";
            return null;
        }

        if (!parts.TryGetValue("AccountKey", out var accountKey) || accountKey.Length == 0)
        {
            error = parts.ContainsKey("SharedAccessSignature")
                ? "SharedAccessSignature is not supported; give AccountKey (Shared Key)"
                : "AccountKey is missing";
            return null;
        }

        var key = new byte[accountKey.Length];
        if (!Convert.TryFromBase64String(accountKey, key, out var keyLength) || keyLength == 0)
        {
            error = "AccountKey is not valid base64 (copy it from the storage account's access keys)";
            return null;
        }

        Uri endpoint;
        if (parts.TryGetValue("BlobEndpoint", out var blobEndpoint))
        {
            if (!TryEndpoint("BlobEndpoint", blobEndpoint, out endpoint!, out error))
            {
                return null;
            }
        }
        else
        {
            var protocol = parts.GetValueOrDefault("DefaultEndpointsProtocol", "https");
            if (!protocol.Equals("https", StringComparison.OrdinalIgnoreCase) && !protocol.Equals("http", StringComparison.OrdinalIgnoreCase))
            {
                error = "DefaultEndpointsProtocol must be https or http";
                return null;
            }

            var suffix = parts.GetValueOrDefault("EndpointSuffix", DefaultEndpointSuffix).Trim('.');
            if (!TryEndpoint("EndpointSuffix", $"{protocol.ToLowerInvariant()}://{accountName}.blob.{suffix}", out endpoint!, out error))
            {
                return null;
            }
        }

        error = null;
        return new AzureStorageConnectionString(accountName, key[..keyLength], Trim(endpoint));
    }

    private static bool TryEndpoint(string name, string value, [NotNullWhen(true)] out Uri? endpoint, [NotNullWhen(false)] out string? error)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out endpoint)
            || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp)
            || endpoint.Host.Length == 0
            || endpoint.Query.Length > 0
            || endpoint.Fragment.Length > 0
            || endpoint.UserInfo.Length > 0)
        {
            endpoint = null;
            error = $"{name} is not an absolute http or https URL without query, fragment or credentials";
            return false;
        }

        error = null;
        return true;
    }

    private static bool HasExplicitPort(string uri)
    {
        var authority = uri.AsSpan(uri.IndexOf("//", StringComparison.Ordinal) + 2);
        var end = authority.IndexOfAny('/', '?', '#');
        authority = end < 0 ? authority : authority[..end];
        var bracket = authority.LastIndexOf(']');
        return authority[(bracket + 1)..].Contains(':');
    }

    // Containers are appended as "/{container}": keep the endpoint's path (an emulator's account) without its last '/'.
    private static Uri Trim(Uri endpoint) => new(endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/'));
}
