using System.Globalization;

namespace XmppUpload.Core.Addressing;

/// <summary>XEP-0082 DateTime profile: <c>CCYY-MM-DDThh:mm:ss[.sss]TZD</c>, always with a time zone.</summary>
public static class XmppDateTime
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    public static bool TryParse(string? value, out DateTimeOffset result)
    {
        result = default;
        // XEP-0082 section 3.2: the time zone designator is required ('Z' or +hh:mm / -hh:mm).
        if (string.IsNullOrWhiteSpace(value) || !(value.EndsWith('Z') || HasOffset(value)))
        {
            return false;
        }

        return DateTimeOffset.TryParseExact(value.Trim(), Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out result);
    }

    /// <summary>Formats in UTC with a 'Z' designator, as XEP-0363 section 6 requires for retry stamps.</summary>
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static bool HasOffset(string value) =>
        value.Length > 6 && (value[^6] == '+' || value[^6] == '-') && value[^3] == ':';
}
