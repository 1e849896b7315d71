namespace XmppUpload.Core.Addressing;

/// <summary>An XMPP address (RFC 7622): <c>local@domain/resource</c>, compared by its normalised form.</summary>
public sealed record Jid
{
    // RFC 7622 section 3: each part is at most 1023 octets.
    private const int MaxPartBytes = 1023;

    private Jid(string? local, string domain, string? resource)
    {
        Local = local;
        Domain = domain;
        Resource = resource;
    }

    public string? Local { get; }

    public string Domain { get; }

    public string? Resource { get; }

    public bool IsBare => Resource is null;

    public Jid Bare => Resource is null ? this : new Jid(Local, Domain, null);

    public static Jid Parse(string value) =>
        TryParse(value, out var jid) ? jid : throw new FormatException($"'{value}' is not a valid JID.");

    public static bool TryParse(string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Jid? jid)
    {
        jid = null;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        string? resource = null;
        var rest = value;
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            resource = value[(slash + 1)..];
            rest = value[..slash];
            if (resource.Length == 0)
            {
                return false;
            }
        }

        string? local = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            local = rest[..at];
            rest = rest[(at + 1)..];
            if (local.Length == 0)
            {
                return false;
            }
        }

        // RFC 7622 section 3.2: a trailing dot of the domain is removed; domains compare case-insensitively.
        var domain = rest.TrimEnd('.').ToLowerInvariant();
        if (domain.Length == 0 || domain.Contains('@', StringComparison.Ordinal))
        {
            return false;
        }

        if (!FitsPart(local) || !FitsPart(domain) || !FitsPart(resource) || HasControl(local) || HasControl(domain) || HasControl(resource))
        {
            return false;
        }

        // Local parts are case-folded (RFC 7622 section 3.3, UsernameCaseMapped); resources are kept as given.
        jid = new Jid(local?.ToLowerInvariant(), domain, resource);
        return true;
    }

    public override string ToString()
    {
        var bare = Local is null ? Domain : $"{Local}@{Domain}";
        return Resource is null ? bare : $"{bare}/{Resource}";
    }

    private static bool FitsPart(string? part) => part is null || System.Text.Encoding.UTF8.GetByteCount(part) <= MaxPartBytes;

    private static bool HasControl(string? part) => part is not null && part.Any(char.IsControl);
}
