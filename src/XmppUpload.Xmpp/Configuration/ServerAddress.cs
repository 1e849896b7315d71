using System.Globalization;

namespace XmppUpload.Xmpp.Configuration;

/// <summary>The <c>host:port</c> of the XMPP server's component listener.</summary>
internal readonly record struct ServerAddress(string Host, int Port)
{
    public static bool TryParse(string? value, out ServerAddress address)
    {
        address = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var text = value.Trim();
        string host;
        string port;
        if (text.StartsWith('['))
        {
            // An IPv6 literal: [::1]:5347.
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 2 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                return false;
            }

            host = text[1..close];
            port = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                return false;
            }

            host = text[..colon];
            port = text[(colon + 1)..];
        }

        if (host.Any(c => char.IsWhiteSpace(c) || c is '/' or '@')
            || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number is < 1 or > 65535)
        {
            return false;
        }

        address = new ServerAddress(host, number);
        return true;
    }

    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
