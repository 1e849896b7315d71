namespace XmppUpload.Xmpp.Framing;

/// <summary>The peer broke the stream; the stream is closed with <see cref="Condition"/> as its stream error.</summary>
internal sealed class XmppStreamException : Exception
{
    public XmppStreamException(StreamErrorCondition condition, string text, Exception? innerException = null)
        : base(text, innerException)
    {
        Condition = condition;
    }

    public StreamErrorCondition Condition { get; }
}
