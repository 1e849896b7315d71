namespace XmppUpload.Testing;

/// <summary>Arguments of <c>upload.py upload</c>: which file, and what the slot request says about it.</summary>
public sealed class SlixmppUpload
{
    /// <summary>The local file whose bytes are PUT (and compared with the GET).</summary>
    public required string FilePath { get; init; }

    /// <summary>The filename in the request (any Unicode); the local file name when not set.</summary>
    public string? Name { get; init; }

    /// <summary>The size in the request; the real size when not set (set it to test mismatches).</summary>
    public long? Size { get; init; }

    /// <summary>The content-type attribute of the request; omitted when not set.</summary>
    public string? ContentType { get; init; }

    /// <summary>The Content-Type header of the PUT; <see cref="ContentType"/> when not set.</summary>
    public string? PutContentType { get; init; }

    /// <summary>XEP-0363 section 5 purpose element: message, profile, ephemeral or permanent; none when not set.</summary>
    public string? Purpose { get; init; }

    /// <summary>The expire-before attribute (XEP-0082 DateTime) of the ephemeral purpose.</summary>
    public string? ExpireBefore { get; init; }

    /// <summary>Stop after the slot request (no PUT, no GET).</summary>
    public bool SlotOnly { get; init; }

    internal IEnumerable<string> ToArguments()
    {
        yield return "--file";
        yield return FilePath;
        if (Name is not null)
        {
            yield return "--name";
            yield return Name;
        }

        if (Size is { } size)
        {
            yield return "--size";
            yield return size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (ContentType is not null)
        {
            yield return "--content-type";
            yield return ContentType;
        }

        if (PutContentType is not null)
        {
            yield return "--put-content-type";
            yield return PutContentType;
        }

        if (Purpose is not null)
        {
            yield return "--purpose";
            yield return Purpose;
        }

        if (ExpireBefore is not null)
        {
            yield return "--expire-before";
            yield return ExpireBefore;
        }

        if (SlotOnly)
        {
            yield return "--slot-only";
        }
    }
}
