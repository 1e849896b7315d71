namespace XmppUpload.Core.Tokens;

/// <summary>The outcome of checking a PUT token.</summary>
public enum TokenCheck
{
    Valid,

    /// <summary>No token, a token of another form, an unknown key, or a signature that does not match.</summary>
    Invalid,

    /// <summary>Well signed, but the slot's PUT deadline has passed.</summary>
    Expired,
}
