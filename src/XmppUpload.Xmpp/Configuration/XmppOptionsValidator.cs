using Microsoft.Extensions.Options;
using XmppUpload.Core.Addressing;

namespace XmppUpload.Xmpp.Configuration;

/// <summary>Checks <see cref="XmppOptions"/> at start; each failure is one line naming the key and what to set.</summary>
internal sealed class XmppOptionsValidator : IValidateOptions<XmppOptions>
{
    private const int MinStanzaSize = 4 * 1024;
    private const int MaxStanzaSizeLimit = 16 * 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, XmppOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        if (string.IsNullOrWhiteSpace(options.Secret))
        {
            failures.Add("Xmpp:Secret is required: set it to the component secret configured on the XMPP server (environment variable Xmpp__Secret)");
        }

        if (!ServerAddress.TryParse(options.Server, out _))
        {
            failures.Add($"Xmpp:Server '{options.Server}' is not host:port: set it to the XMPP server's component listener, for example 127.0.0.1:5347 or [::1]:5347 (environment variable Xmpp__Server)");
        }

        if (!IsDomain(options.Domain))
        {
            failures.Add($"Xmpp:Domain '{options.Domain}' is not a domain name: set it to the component address configured on the XMPP server, for example upload.example.org (environment variable Xmpp__Domain)");
        }

        var invalidServed = options.ServedDomains.Where(d => !IsDomain(d)).ToArray();
        if (invalidServed.Length > 0)
        {
            failures.Add($"Xmpp:ServedDomains has '{string.Join("', '", invalidServed)}', which is not a domain name: list the domains whose accounts may upload, for example example.org (environment variable Xmpp__ServedDomains__0)");
        }
        else if (IsDomain(options.Domain) && options.GetServedDomains().Count == 0)
        {
            failures.Add($"Xmpp:ServedDomains is required because Xmpp:Domain '{options.Domain}' has no parent domain: list the domains whose accounts may upload (environment variable Xmpp__ServedDomains__0)");
        }

        RequirePositive(failures, "KeepAliveInterval", options.KeepAliveInterval, "the interval of whitespace keepalives, for example 00:01:00");
        RequirePositive(failures, "ConnectTimeout", options.ConnectTimeout, "how long connecting and the handshake may take, for example 00:00:30");
        RequirePositive(failures, "IqTimeout", options.IqTimeout, "how long an outgoing IQ waits for its answer, for example 00:00:30");
        RequirePositive(failures, "ReconnectDelay", options.ReconnectDelay, "the first delay before reconnecting, for example 00:00:01");
        if (options.MaxReconnectDelay < options.ReconnectDelay)
        {
            failures.Add($"Xmpp:MaxReconnectDelay '{options.MaxReconnectDelay}' is shorter than Xmpp:ReconnectDelay: set it to the longest delay between reconnects, for example 00:01:00");
        }

        if (options.MaxStanzaSize is < MinStanzaSize or > MaxStanzaSizeLimit)
        {
            failures.Add($"Xmpp:MaxStanzaSize '{options.MaxStanzaSize}' is out of range: set it to the largest stanza accepted, in bytes, between {MinStanzaSize} and {MaxStanzaSizeLimit} (default {XmppOptions.DefaultMaxStanzaSize})");
        }

        if (options.MaxConcurrentHandlers < 1)
        {
            failures.Add($"Xmpp:MaxConcurrentHandlers '{options.MaxConcurrentHandlers}' must be at least 1: set it to how many stanzas may be handled at once, for example 32");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequirePositive(List<string> failures, string key, TimeSpan value, string what)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"Xmpp:{key} '{value}' must be positive: set it to {what}");
        }
    }

    // A domain here is a JID with only a domain part (RFC 7622), and at least one character that is not a dot.
    private static bool IsDomain(string? value) =>
        !string.IsNullOrWhiteSpace(value)
        && value.Trim() == value
        && Jid.TryParse(value, out var jid)
        && jid.Local is null
        && jid.Resource is null
        && !jid.Domain.Contains(' ', StringComparison.Ordinal)
        && !jid.Domain.Contains(':', StringComparison.Ordinal);
}
