namespace XmppUpload.Storage;

/// <summary>Times as both ledgers store them: whole Unix milliseconds, UTC.</summary>
internal static class LedgerTime
{
    /// <summary>
    /// <paramref name="time"/> rounded down as a column keeps it, so that a value handed back equals the value read back
    /// later (an expiry never moves later).
    /// </summary>
    public static DateTimeOffset AsStored(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
}
