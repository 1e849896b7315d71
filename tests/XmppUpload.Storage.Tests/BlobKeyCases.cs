namespace XmppUpload.Storage.Tests;

/// <summary>Strings that every blob store must refuse as a key: each could name a path, another object or a query.</summary>
public static class BlobKeyCases
{
    public static TheoryData<string> Invalid => new()
    {
        string.Empty,
        "../../etc/passwd",
        "..",
        "abc/def",
        "abc\\def",
        "abc.def",
        "ABCDEF",
        "abc def",
        "abc\0def",
        "abc?comp=list",
        "caf\u00e9",
        "\uff41bc",
        new string('a', BlobKeys.MaxLength + 1),
    };
}
