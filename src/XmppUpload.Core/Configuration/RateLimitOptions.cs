namespace XmppUpload.Core.Configuration;

/// <summary>How many slot requests one account may make per window (configuration section <c>Upload:RateLimit</c>).</summary>
public sealed class RateLimitOptions
{
    public int Requests { get; set; } = 60;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);
}
