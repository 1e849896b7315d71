using XmppUpload.Core.Slots;

namespace XmppUpload.Storage.Tests;

internal static class TestSlots
{
    public const string Juliet = "juliet@capulet.example";

    public const string Romeo = "romeo@montague.example";

    public static Slot New(
        DateTimeOffset now,
        string fileName = "photo.jpg",
        string? contentType = "image/jpeg",
        Purpose purpose = Purpose.Message,
        DateTimeOffset? expiresAt = null,
        string owner = Juliet,
        long size = 1234) => new()
    {
        Id = SlotIds.New(),
        Owner = owner,
        FileName = fileName,
        Size = size,
        ContentType = contentType,
        Purpose = purpose,
        CreatedAt = now,
        PutDeadline = now.AddSeconds(300),
        ExpiresAt = expiresAt,
    };
}
