using System.Globalization;
using System.Text;

namespace XmppUpload.Node.Admin;

/// <summary>How the verbs write sizes, instants and durations for people: bytes plus a binary unit, UTC ISO-8601, "never".</summary>
internal static class AdminText
{
    public const string Never = "never";

    private static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary><c>512 B</c>, <c>1536 B (1.5 KiB)</c>: the exact count to compare with other tools, the unit to read it.</summary>
    public static string Bytes(long bytes)
    {
        if (bytes is > -1024 and < 1024)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{bytes} B");
        }

        double value = bytes;
        var unit = -1;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{bytes} B ({value:0.#} {Units[unit]})");
    }

    /// <summary>UTC ISO-8601 to the second, e.g. <c>2026-11-22T10:00:00Z</c>; "never" for no instant.</summary>
    public static string Instant(DateTimeOffset? instant) =>
        instant is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : Never;

    /// <summary>Whole days or hours where the duration is one, else <c>d.hh:mm:ss</c>; "never" for no limit.</summary>
    public static string Duration(TimeSpan? duration) => duration switch
    {
        null => Never,
        { } d when d.Ticks % TimeSpan.TicksPerDay == 0 => Plural((long)d.TotalDays, "day"),
        { } d when d.Ticks % TimeSpan.TicksPerHour == 0 => Plural((long)d.TotalHours, "hour"),
        { } d => d.ToString("c", CultureInfo.InvariantCulture),
    };

    public static string Percent(long part, long whole) =>
        whole <= 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{100.0 * part / whole:0.0}%");

    /// <summary>
    /// File names come from users: control characters (newlines, terminal escapes) are shown as U+FFFD so that a name
    /// can neither break the table nor drive the operator's terminal.
    /// </summary>
    public static string Printable(string value)
    {
        if (!value.Any(char.IsControl))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            builder.Append(char.IsControl(c) ? '\uFFFD' : c);
        }

        return builder.ToString();
    }

    private static string Plural(long count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? string.Empty : "s")}");
}
