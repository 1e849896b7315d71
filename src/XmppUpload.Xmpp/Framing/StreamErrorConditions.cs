namespace XmppUpload.Xmpp.Framing;

/// <summary>Element names of <see cref="StreamErrorCondition"/> values.</summary>
internal static class StreamErrorConditions
{
    public static string ElementName(StreamErrorCondition condition) => condition switch
    {
        StreamErrorCondition.BadFormat => "bad-format",
        StreamErrorCondition.InvalidNamespace => "invalid-namespace",
        StreamErrorCondition.NotWellFormed => "not-well-formed",
        StreamErrorCondition.PolicyViolation => "policy-violation",
        StreamErrorCondition.RestrictedXml => "restricted-xml",
        StreamErrorCondition.UnsupportedEncoding => "unsupported-encoding",
        StreamErrorCondition.UnsupportedStanzaType => "unsupported-stanza-type",
        StreamErrorCondition.ConnectionTimeout => "connection-timeout",
        StreamErrorCondition.InternalServerError => "internal-server-error",
        StreamErrorCondition.SystemShutdown => "system-shutdown",
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, null),
    };
}
