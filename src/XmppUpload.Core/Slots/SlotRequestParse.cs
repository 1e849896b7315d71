namespace XmppUpload.Core.Slots;

/// <summary>The outcome of <see cref="SlotRequestReader.Read"/>: a request, or the text of a bad-request error.</summary>
public readonly record struct SlotRequestParse(SlotRequest? Request, string? Error)
{
    public static SlotRequestParse Valid(SlotRequest request) => new(request, null);

    public static SlotRequestParse Invalid(string error) => new(null, error);
}
