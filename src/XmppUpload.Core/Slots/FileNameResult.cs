namespace XmppUpload.Core.Slots;

/// <summary>The outcome of <see cref="FileNames.Normalize"/>: a safe name, or why none could be made.</summary>
public readonly record struct FileNameResult(string? Name, string? Error)
{
    public bool IsAccepted => Name is not null;

    public static FileNameResult Accepted(string name) => new(name, null);

    public static FileNameResult Refused(string error) => new(null, error);
}
