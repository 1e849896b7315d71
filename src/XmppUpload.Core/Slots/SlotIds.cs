using System.Security.Cryptography;

namespace XmppUpload.Core.Slots;

/// <summary>Slot identifiers: 160 random bits in lower-case base32, safe in URLs and as file names.</summary>
public static class SlotIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>Length of an identifier: 20 random bytes make 32 base32 characters.</summary>
    public const int Length = 32;

    public static string New()
    {
        Span<byte> bytes = stackalloc byte[20];
        RandomNumberGenerator.Fill(bytes);
        Span<char> chars = stackalloc char[Length];
        var bitBuffer = 0;
        var bitCount = 0;
        var index = 0;
        foreach (var value in bytes)
        {
            bitBuffer = (bitBuffer << 8) | value;
            bitCount += 8;
            while (bitCount >= 5)
            {
                bitCount -= 5;
                chars[index++] = Alphabet[(bitBuffer >> bitCount) & 31];
            }
        }

        return new string(chars);
    }

    /// <summary>True for strings that could have come from <see cref="New"/>; anything else is never looked up.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> value)
    {
        if (value.Length != Length)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterLower(c) || c is >= '2' and <= '7'))
            {
                return false;
            }
        }

        return true;
    }
}
