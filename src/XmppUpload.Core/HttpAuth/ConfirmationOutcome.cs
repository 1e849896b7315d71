namespace XmppUpload.Core.HttpAuth;

/// <summary>How an XEP-0070 confirmation request ended.</summary>
public enum ConfirmationOutcome
{
    /// <summary>The user confirmed that the HTTP request is theirs.</summary>
    Confirmed,

    /// <summary>The user said it is not theirs (XEP-0070 section 4.2: an error or a refusal).</summary>
    Denied,

    /// <summary>No answer came within the timeout.</summary>
    NoAnswer,

    /// <summary>The request could not be sent (no component link, the user is unreachable).</summary>
    Unavailable,
}
