using System.Security.Cryptography;

namespace XmppUpload.Core.Slots;

/// <summary>
/// Upload attempt ids: 96 random bits in lower-case hex. Every PUT that begins (or takes over) a slot gets a new one,
/// and only the attempt that holds the slot may renew, complete or abort it.
/// </summary>
public static class UploadAttempts
{
    public const int Length = 24;

    public static string New() => RandomNumberGenerator.GetHexString(Length, lowercase: true);
}
