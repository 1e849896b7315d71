namespace XmppUpload.Core.Tokens;

/// <summary>The outcome of checking a PUT token, and what the token grants (default unless it could be read).</summary>
public readonly record struct TokenVerdict(TokenCheck Check, PutToken Token);
