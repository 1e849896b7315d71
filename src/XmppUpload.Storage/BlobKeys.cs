using System.Buffers;

namespace XmppUpload.Storage;

/// <summary>
/// The one rule for blob keys, shared by every blob store: 1 to 64 characters of <c>[a-z0-9]</c> (slot ids, WebDAV
/// blob ids). A key never comes from a user, and this check makes sure it cannot name a path or another object.
/// </summary>
internal static class BlobKeys
{
    public const int MaxLength = 64;

    private static readonly SearchValues<char> Characters = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789");

    public static bool IsValid(ReadOnlySpan<char> key) =>
        key.Length is > 0 and <= MaxLength && !key.ContainsAnyExcept(Characters);

    public static void Validate(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!IsValid(key))
        {
            throw new ArgumentException($"A blob key is 1 to {MaxLength} characters of [a-z0-9].", nameof(key));
        }
    }
}
