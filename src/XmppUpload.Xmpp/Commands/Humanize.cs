using System.Globalization;

namespace XmppUpload.Xmpp.Commands;

/// <summary>Sizes and durations as people read them in a command result (binary units, invariant culture).</summary>
internal static class Humanize
{
    private static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB", "PiB"];

    public static string Bytes(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes == 1 ? "1 byte" : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
        }

        var value = (double)bytes;
        var unit = -1;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        // Whole numbers (quotas such as 1 GiB) read without a decimal; the rest keep one.
        var format = Math.Abs(value - Math.Round(value)) < 0.05 ? "0" : "0.0";
        return string.Create(CultureInfo.InvariantCulture, $"{value.ToString(format, CultureInfo.InvariantCulture)} {Units[unit]}");
    }

    public static string Retention(TimeSpan? retention)
    {
        if (retention is not { } value)
        {
            return "kept until deleted";
        }

        return value switch
        {
            { Ticks: var t } when t % TimeSpan.TicksPerDay == 0 => Count((long)value.TotalDays, "day"),
            { Ticks: var t } when t % TimeSpan.TicksPerHour == 0 => Count((long)value.TotalHours, "hour"),
            { Ticks: var t } when t % TimeSpan.TicksPerMinute == 0 => Count((long)value.TotalMinutes, "minute"),
            _ => Count((long)Math.Ceiling(value.TotalSeconds), "second"),
        };
    }

    public static string Percent(long part, long whole) =>
        whole <= 0 ? "-" : string.Create(CultureInfo.InvariantCulture, $"{Math.Min(999, part * 100.0 / whole):0}%");

    private static string Count(long count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? string.Empty : "s")}");
}
