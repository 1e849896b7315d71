using XmppUpload.Core.Slots;

namespace XmppUpload.Storage.Tests;

internal static class TestSlots
{
    public static Slot New(
        DateTimeOffset now,
        string fileName = "photo.jpg",
        string? contentType = "image/jpeg",
        Purpose purpose = Purpose.Message,
        DateTimeOffset? expiresAt = null) => new()
    {
        Id = SlotIds.New(),
        Owner = "juliet@capulet.example",
        FileName = fileName,
        Size = 1234,
        ContentType = contentType,
        Purpose = purpose,
        CreatedAt = now,
        PutDeadline = now.AddSeconds(300),
        ExpiresAt = expiresAt,
    };
}
